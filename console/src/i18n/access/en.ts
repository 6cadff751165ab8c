import type { AccessMessages } from './zh-CN'

/** English strings of the sign-in form and access messages: the same keys as zh-CN.ts beside it. */
export const accessEn = {
  'signIn.dialogTitle': 'Sign in to Suanpan',
  'signIn.intro': 'Sign in with your account. What you see and may do follows your role and its region.',
  'signIn.requiredTitle': 'Please sign in',
  'signIn.requiredText': 'This control plane does not allow reading without signing in: sign in to see this page.',
  'signIn.expired': 'Your session has ended (expired, signed out elsewhere or the account was disabled): please sign in again.',
  'signIn.username': 'User name',
  'signIn.password': 'Password',
  'signIn.usernameRequired': 'Enter your user name',
  'signIn.passwordRequired': 'Enter your password',
  'signIn.submit': 'Sign in',
  'signIn.failed': 'The user name or password is not right',
  'signIn.failedText': 'Check them and try again. Every sign-in attempt is recorded in the audit trail.',
  'signIn.error': 'Signing in failed',
  'signIn.cookieNote':
    'The session is kept in a cookie that scripts cannot read (HttpOnly, SameSite=Strict) and ends after 8 hours; changes also need this tab’s CSRF token. Sign out when you are done on a shared computer.',

  'access.forbidden': 'Your role ({role}) may not {what}',
  'access.forbiddenNoRole': 'Your role may not {what}',
  'access.doThis': 'do this',
  'access.nationalOnly':
    'Censuses, the evaluation, quotas, the audit trail, DR drills and accounts are national matters: only roles with national scope have them.',
  'access.forbiddenHelp': 'If you need this, sign in with an account that may, or ask a national administrator to change your role.',
  'access.switchAccount': 'Sign in as someone else',
  'access.csrfTitle': 'Sign in again in this tab to make changes',
  'access.csrfText':
    'A change made while signed in needs the CSRF token this tab received when signing in; this tab has no valid one (it was opened after signing in in another tab, say). Signing in again gives it one.',
  'access.signInTitle': 'Sign-in needed',
  'access.signInText': 'This needs you to sign in (or to set the administrator token in the header).',
  'access.signInAgain': 'Sign in again',
  'access.apiSaid': 'The API said: ',

  'perm.ledger:read': 'read the compute ledger',
  'perm.history:read': 'read history',
  'perm.clusters:read': 'read clusters',
  'perm.clusters:write': 'register and manage clusters',
  'perm.census:read': 'read censuses',
  'perm.census:write': 'take censuses',
  'perm.evaluation:read': 'read the evaluation',
  'perm.workloads:read': 'read workloads',
  'perm.workloads:write': 'submit and cancel workloads',
  'perm.quotas:read': 'read quotas',
  'perm.audit:read': 'read the audit trail',
  'perm.users:admin': 'manage accounts',
  'perm.metrics:read': 'read metrics',
  'perm.approvals:read': 'see approval requests',
  'perm.drills:read': 'read DR drills',
  'perm.drills:run': 'run and abort DR drills or manage drill schedules',
} as const satisfies AccessMessages
