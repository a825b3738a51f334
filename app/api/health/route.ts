import { NextResponse } from 'next/server';
import { otherMethods } from '@/server/http/methods';
import { health } from '@/server/platform/health';

export const dynamic = 'force-dynamic';

export async function GET() {
  const body = await health();
  return NextResponse.json(body, { status: 200, headers: { 'cache-control': 'no-store' } });
}

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods({ GET });
