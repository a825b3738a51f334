import { describe, expect, it } from 'vitest';
import { renderStatic } from '@/components/testing/render-static';
import { AuditIntegrity } from './audit-integrity';

describe('the audit page’s integrity line', () => {
  it('says the chain verifies and where the locked copy is', () => {
    const html = renderStatic(
      <AuditIntegrity verification={{ ok: true, brokenAt: null }} archive="s3://ledgerline-audit/audit/us-east-1/" />,
    );
    expect(html).toContain('Hash chain verified');
    expect(html).toContain('<code>s3://ledgerline-audit/audit/us-east-1/</code>');
    expect(html).not.toContain('role="alert"');
  });

  it('alerts with the first broken entry and its writer, and says when there is no locked copy', () => {
    const html = renderStatic(
      <AuditIntegrity verification={{ ok: false, brokenAt: 7, writer: 'ip-10-0-1-5-42-ab12cd34' }} archive={null} />,
    );
    expect(html).toMatch(
      /role="alert"[^>]*>Hash chain broken at entry 7 in the chain of writer ip-10-0-1-5-42-ab12cd34/,
    );
    expect(html).toContain('Locked copy: none (local backend');
  });
});
