/**
 * Strings of the sign-in form and of the "not allowed" messages, Chinese first. They load with the form
 * (lazily) and with the pages that show those messages, never with the first route; `en.ts` beside this
 * file must have exactly these keys, and none may repeat a key of another table (checked by the types).
 */
export const accessZhCN = {
  'signIn.dialogTitle': '登录算盘',
  'signIn.intro': '用您的账号登录。登录后按您的角色和管辖范围显示数据、允许操作。',
  'signIn.requiredTitle': '请先登录',
  'signIn.requiredText': '本控制面不开放匿名查看，登录后即可查看此页。',
  'signIn.expired': '登录已失效（已过期、在别处退出或账号被停用），请重新登录。',
  'signIn.username': '用户名',
  'signIn.password': '密码',
  'signIn.usernameRequired': '请输入用户名',
  'signIn.passwordRequired': '请输入密码',
  'signIn.submit': '登录',
  'signIn.failed': '用户名或密码不正确',
  'signIn.failedText': '请检查后重试。每次登录尝试都记入审计记录。',
  'signIn.error': '登录失败',
  'signIn.cookieNote':
    '登录状态保存在浏览器脚本无法读取的 Cookie 中（HttpOnly、SameSite=Strict），8 小时后失效；修改操作还需本标签页的防跨站令牌（CSRF）。在共用电脑上用完请退出登录。',

  'access.forbidden': '您的角色（{role}）无权{what}',
  'access.forbiddenNoRole': '您的角色无权{what}',
  'access.doThis': '执行此操作',
  'access.nationalOnly': '普查、评估、配额、审计记录、灾备演练和账号管理是全国性事务，只对全国范围的角色开放。',
  'access.forbiddenHelp': '如需此权限，请换用有权限的账号登录，或请全国管理员调整您的角色。',
  'access.switchAccount': '换个账号登录',
  'access.csrfTitle': '请在本标签页重新登录后再修改',
  'access.csrfText':
    '以登录身份修改数据，需要登录时发给本标签页的防跨站令牌（CSRF）；本标签页没有有效的令牌（例如在另一个标签页登录后新打开的）。重新登录即可。',
  'access.signInTitle': '需要登录',
  'access.signInText': '此操作需要登录（或在页头设置管理员令牌）。',
  'access.signInAgain': '重新登录',
  'access.apiSaid': '接口返回：',

  'perm.ledger:read': '查看算力一本账',
  'perm.history:read': '查看历史数据',
  'perm.clusters:read': '查看集群',
  'perm.clusters:write': '登记和管理集群',
  'perm.census:read': '查看普查',
  'perm.census:write': '新建普查',
  'perm.evaluation:read': '查看评估',
  'perm.workloads:read': '查看作业',
  'perm.workloads:write': '提交和撤销作业',
  'perm.quotas:read': '查看配额',
  'perm.audit:read': '查看审计记录',
  'perm.users:admin': '管理账号',
  'perm.metrics:read': '查看运行指标',
  'perm.approvals:read': '查看审批请求',
  'perm.drills:read': '查看灾备演练',
  'perm.drills:run': '开始和中止灾备演练、管理定时演练',
} as const satisfies Record<string, string>

export type AccessMessageKey = keyof typeof accessZhCN
/** A translation table of the sign-in form and access messages: exactly the keys of the Chinese one. */
export type AccessMessages = { readonly [K in AccessMessageKey]: string }
