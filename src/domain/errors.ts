/**
 * The one hierarchy of domain errors. Deciders throw them; the HTTP layer maps each class to its problem type and
 * status in one place (src/http/problem.ts). `rule` is a short, stable name of the DOMAIN.md rule; `message` says,
 * in words a clerk understands, what was wrong.
 */
export abstract class DomainError extends Error {
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

/** A rule of DOMAIN.md is broken by what the command says (a date out of range, a missing mandate, a budget exceeded …). */
export class RuleViolation extends DomainError {
  override name = 'RuleViolation';
}

/** The command conflicts with the current state of the record (already withdrawn, vote closed, already a member …). */
export class StateConflict extends DomainError {
  override name = 'StateConflict';
}

/**
 * A referenced record does not exist. `where` says whether its id came in the path (the command is about a record
 * that is not there) or in the body (the command is well-formed, but names something the ledger does not hold).
 */
export class UnknownReference extends DomainError {
  override name = 'UnknownReference';
  constructor(
    readonly what: string,
    readonly id: string,
    readonly where: 'path' | 'body',
  ) {
    super('references-exist', `${what} ${id} does not exist`);
  }
}
