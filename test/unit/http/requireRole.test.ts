/** requireRole's answers name the roles that may do what was refused, each once, in words. */
import type { Request, Response } from 'express';
import type { Role } from '../../../src/config';
import { authenticate, requireRole, TokenRegistry, type CallerRole } from '../../../src/http/auth';
import { HttpProblem } from '../../../src/http/problem';

function answerTo(caller: CallerRole, ...allowed: Role[]): HttpProblem | 'allowed' {
  let outcome: HttpProblem | 'allowed' | undefined;
  const req = { caller: { role: caller, principal: caller } } as unknown as Request;
  requireRole(...allowed)(req, {} as Response, (error?: unknown) => {
    outcome = error === undefined ? 'allowed' : (error as HttpProblem);
  });
  if (outcome === undefined) throw new Error('requireRole neither passed nor refused');
  return outcome;
}

describe('requireRole', () => {
  it.each([
    ['clerk', ['admin'], 'Role clerk may not do this; it needs the admin role'],
    ['evaluator', ['admin'], 'Role evaluator may not do this; it needs the admin role'],
    ['evaluator', ['clerk'], 'Role evaluator may not do this; it needs the role clerk or admin'],
    ['clerk', ['evaluator'], 'Role clerk may not do this; it needs the role evaluator or admin'],
    ['clerk', ['evaluator', 'admin'], 'Role clerk may not do this; it needs the role evaluator or admin'],
  ] as const)('refuses %s where %j may: "%s"', (caller, allowed, detail) => {
    const answer = answerTo(caller, ...allowed);
    expect(answer).toBeInstanceOf(HttpProblem);
    expect(answer instanceof HttpProblem && { status: answer.status, detail: answer.message }).toEqual({
      status: 403,
      detail,
    });
  });

  it('asks an anonymous caller for a token of a role that may', () => {
    const answer = answerTo('anonymous', 'admin');
    expect(answer instanceof HttpProblem && { status: answer.status, detail: answer.message }).toEqual({
      status: 401,
      detail: 'This needs a bearer token with the admin role',
    });
  });

  it('lets through the roles named, and admin always', () => {
    expect(answerTo('evaluator', 'evaluator')).toBe('allowed');
    expect(answerTo('admin', 'clerk')).toBe('allowed');
  });
});

describe('authenticate', () => {
  const token = 'a-clerk-token-of-enough-length';
  const registry = TokenRegistry.fromPlainTokens([{ role: 'clerk', token }]);
  function callerFor(authorization: string): CallerRole | number {
    const req = {
      headers: { authorization },
      headersDistinct: { authorization: [authorization] },
      ip: '192.0.2.1',
    } as unknown as Request;
    let outcome: CallerRole | number | undefined;
    authenticate(registry)(req, {} as Response, (error?: unknown) => {
      outcome = error === undefined ? req.caller?.role : (error as HttpProblem).status;
    });
    if (outcome === undefined) throw new Error('authenticate neither passed nor refused');
    return outcome;
  }

  it.each(['Bearer', 'bearer', 'BEARER', 'bEaReR'])(
    'reads the scheme %s in any case (RFC 9110 §11.1)',
    (scheme) => {
      expect(callerFor(`${scheme} ${token}`)).toBe('clerk');
    },
  );

  it.each([token.toUpperCase(), `${token} `, `Basic ${token}`, `Bearer  ${token}`])(
    'refuses %j: the token itself is exact',
    (header) => {
      expect(callerFor(header.startsWith('B') ? header : `Bearer ${header}`)).toBe(401);
    },
  );
});
