import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ROLES, scopeText } from '../../access/roles'
import { LedgerError } from '../../ledger/errors'
import { ErrorSchema } from '../../schemas'
import type { AppServices } from '../../services'

const Username = Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{1,62}$', description: 'lower-case letters, digits, . _ -' })
const UserSchema = Type.Object({
  username: Type.String(),
  role: Type.String(),
  scope: Type.String(),
  createdAt: Type.String(),
  disabled: Type.Boolean(),
})
const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema }

const isLoopback = (ip: string) => ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1'

/** Accounts (national-admin), API tokens, and the console's sign-in session. */
export const userRoutes: FastifyPluginAsyncTypebox<{ services: AppServices }> = async (app, { services }) => {
  const access = services.access

  app.post(
    '/api/v1/users',
    {
      ...access.guard('users:admin'),
      schema: {
        summary: 'Create an account with a role and a scope (national, a province code, or ministry:<name>)',
        body: Type.Object(
          {
            username: Username,
            password: Type.String({ minLength: 1, maxLength: 256 }),
            role: Type.Union(ROLES.map((r) => Type.Literal(r))),
            scope: Type.Optional(Type.String({ pattern: '^(national|[1-8][0-9]0000|ministry:[a-z0-9-]{2,40})$' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: UserSchema, ...errors },
      },
    },
    async (request, reply) => reply.status(201).send(await access.createUser(request.body as Parameters<typeof access.createUser>[0])),
  )

  app.get(
    '/api/v1/users',
    { ...access.guard('users:admin'), schema: { response: { 200: Type.Object({ users: Type.Array(UserSchema) }), ...errors } } },
    async () => ({ users: await access.listUsers() }),
  )

  app.delete(
    '/api/v1/users/:username',
    {
      ...access.guard('users:admin'),
      schema: {
        summary: 'Disable an account: its tokens and sessions stop at once',
        params: Type.Object({ username: Username }),
        response: { 200: Type.Object({ username: Type.String(), disabled: Type.Boolean() }), ...errors },
      },
    },
    async (request) => {
      if (!(await access.disableUser(request.params.username)))
        throw new LedgerError(404, 'USER_NOT_FOUND', `no user "${request.params.username}"`)
      return { username: request.params.username, disabled: true }
    },
  )

  app.post(
    '/api/v1/users/:username/tokens',
    {
      ...access.guard('users:admin'),
      schema: {
        summary: 'Issue an API token (CLI, scripts) for an account; shown once',
        params: Type.Object({ username: Username }),
        body: Type.Optional(
          Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })) }, { additionalProperties: false }),
        ),
        response: { 201: Type.Object({ token: Type.String(), expiresAt: Type.String() }), ...errors },
      },
    },
    async (request, reply) => reply.status(201).send(await access.issueToken(request.params.username, request.body?.days ?? 90)),
  )

  // ---------------------------------------------------------------- console session

  app.post(
    '/api/v1/session',
    {
      ...access.guard('public'),
      schema: {
        summary: 'Sign in: sets an HttpOnly, SameSite=Strict session cookie and returns the CSRF token for changes',
        body: Type.Object({ username: Username, password: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            username: Type.String(),
            role: Type.String(),
            scope: Type.String(),
            csrfToken: Type.String(),
            expiresAt: Type.String(),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      request.auditActor = `login:${request.body.username}`
      const secure = request.protocol === 'https' || !isLoopback(request.ip)
      return access.login(request.body.username, request.body.password, reply, secure)
    },
  )

  app.get(
    '/api/v1/session',
    {
      ...access.guard('public'),
      schema: {
        summary: 'Who am I: the principal of this request (session, token or anonymous reads)',
        response: { 200: Type.Object({ id: Type.String(), role: Type.String(), scope: Type.String(), via: Type.String() }), ...errors },
      },
    },
    async (request) => {
      const p = await access.principalOf(request)
      if (!p) {
        if (services.config.openReads) return { id: 'anonymous', role: 'anonymous', scope: 'national', via: 'anonymous' }
        throw new LedgerError(401, 'UNAUTHENTICATED', 'not signed in')
      }
      return { id: p.id, role: p.role, scope: scopeText(p.scope), via: p.via }
    },
  )

  app.delete(
    '/api/v1/session',
    { ...access.guard('public'), schema: { response: { 200: Type.Object({ signedOut: Type.Boolean() }) } } },
    async (request, reply) => {
      await access.logout(request, reply)
      return { signedOut: true }
    },
  )
}
