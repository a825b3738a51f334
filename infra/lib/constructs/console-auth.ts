/**
 * Who may reach the console: the ALB's HTTPS listener authenticates every request before it is
 * forwarded (server/auth/alb.ts then verifies the ALB-signed `x-amzn-oidc-data`).
 *  - Default: a Cognito user pool of this console (Plus tier with threat protection enforced,
 *    MFA required, no self sign-up) with the four `ledgerline-<role>` groups, and the ALB's
 *    authenticate-cognito action (OIDC authorization-code flow against the pool).
 *  - Context `consoleOidc` (JSON: issuer, authorizationEndpoint, tokenEndpoint,
 *    userInfoEndpoint, clientId, clientSecretArn): an external OIDC IdP and the ALB's
 *    authenticate-oidc action; the client secret is a Secrets Manager dynamic reference,
 *    resolved by CloudFormation at deploy time, never in the template.
 * The ALB copies the IdP's user-info claims into the token it signs. Cognito's user-info answer
 * carries user attributes, not `cognito:groups`: the pool therefore also has the admin-only
 * attribute `custom:ledgerline_role` (readable, not writable by the app client), which
 * server/auth/alb.ts maps as well.
 */
import { Aws, Duration, RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { ListenerAction, UnauthenticatedAction } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { AuthenticateCognitoAction } from 'aws-cdk-lib/aws-elasticloadbalancingv2-actions';
import { Construct } from 'constructs';
import { roles } from '../../platform/roles';

export interface ExternalOidc {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userInfoEndpoint: string;
  clientId: string;
  /** Secrets Manager ARN of the client secret. */
  clientSecretArn: string;
}

const oidcFields = [
  'issuer',
  'authorizationEndpoint',
  'tokenEndpoint',
  'userInfoEndpoint',
  'clientId',
  'clientSecretArn',
] as const;

/** Parses context `consoleOidc` (a JSON string from `-c`, or an object from cdk.json). */
export function parseExternalOidc(value: unknown): ExternalOidc | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const obj: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (typeof obj !== 'object' || obj === null) throw new Error('context consoleOidc must be a JSON object');
  const rec = obj as Record<string, unknown>;
  for (const f of oidcFields) {
    const v = rec[f];
    if (typeof v !== 'string' || v === '') throw new Error(`context consoleOidc.${f} is required (a string)`);
    if (f.endsWith('Endpoint') || f === 'issuer')
      if (!v.startsWith('https://')) throw new Error(`context consoleOidc.${f} must be an https:// URL, got ${v}`);
  }
  if (!/^arn:aws[a-z-]*:secretsmanager:/.test(String(rec.clientSecretArn)))
    throw new Error('context consoleOidc.clientSecretArn must be a Secrets Manager secret ARN');
  return Object.fromEntries(oidcFields.map((f) => [f, rec[f]])) as unknown as ExternalOidc;
}

export interface ConsoleAuthProps {
  prefix: string;
  external?: ExternalOidc;
  production: boolean;
}

/** How long an ALB session lasts before the IdP is asked again. */
const SESSION_TIMEOUT = Duration.hours(8);

export class ConsoleAuth extends Construct {
  readonly userPool?: UserPool;
  client?: UserPoolClient;
  readonly domain?: UserPoolDomain;
  private readonly props: ConsoleAuthProps;

  constructor(scope: Construct, id: string, props: ConsoleAuthProps) {
    super(scope, id);
    this.props = props;
    if (props.external) return;
    const pool = new UserPool(this, 'Users', {
      userPoolName: `${props.prefix}-console`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(1),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      customAttributes: { ledgerline_role: new StringAttribute({ mutable: true, maxLen: 16 }) },
      deletionProtection: props.production,
      removalPolicy: props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const role of roles)
      pool.addGroup(`Group${role[0]!.toUpperCase()}${role.slice(1)}`, {
        groupName: `ledgerline-${role}`,
        description: `Ledgerline console ${role}`,
      });
    this.domain = pool.addDomain('Domain', {
      // Region-scoped; the account id keeps it unique across accounts.
      cognitoDomain: { domainPrefix: `${props.prefix}-${Aws.ACCOUNT_ID}` },
    });
    this.userPool = pool;
  }

  /** The app client of the ALB; `host` is what operators open (https://<host>/oauth2/idpresponse is the callback). */
  private albClient(pool: UserPool, host: string): UserPoolClient {
    return pool.addClient('Alb', {
      generateSecret: true,
      preventUserExistenceErrors: true,
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`https://${host}/oauth2/idpresponse`],
      },
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, fullname: true })
        .withCustomAttributes('ledgerline_role'),
      // The role attribute is set by administrators only (AdminUpdateUserAttributes).
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
  }

  /** The listener action: authenticate, then `next`. Call once. */
  authenticate(next: ListenerAction, host: string): ListenerAction {
    const ext = this.props.external;
    if (ext)
      return ListenerAction.authenticateOidc({
        issuer: ext.issuer,
        authorizationEndpoint: ext.authorizationEndpoint,
        tokenEndpoint: ext.tokenEndpoint,
        userInfoEndpoint: ext.userInfoEndpoint,
        clientId: ext.clientId,
        clientSecret: SecretValue.secretsManager(ext.clientSecretArn),
        scope: 'openid email profile',
        sessionTimeout: SESSION_TIMEOUT,
        onUnauthenticatedRequest: UnauthenticatedAction.AUTHENTICATE,
        next,
      });
    const pool = this.userPool!;
    this.client = this.albClient(pool, host);
    return new AuthenticateCognitoAction({
      userPool: pool,
      userPoolClient: this.client,
      userPoolDomain: this.domain!,
      scope: 'openid email profile',
      sessionTimeout: SESSION_TIMEOUT,
      onUnauthenticatedRequest: UnauthenticatedAction.AUTHENTICATE,
      next,
    });
  }
}
