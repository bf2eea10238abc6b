/**
 * What a verify finds wrong, named. Its own file because verify and the diagnosis it calls (tamperDiagnosis.ts)
 * both speak it: neither then imports the other.
 */
import type { TrailCause } from './trailIntegrity';

export type VerifyProblemKind =
  /** The event at the position does not hash to the leaf the tree holds for it. */
  | 'altered'
  /** There is no event at the position (deleted, or removed and later events renumbered). */
  | 'missing'
  /** An event the tree never held sits at the position (later events shifted), or a second one claims it. */
  | 'inserted'
  /** The event at the position is one the tree holds at another position. */
  | 'reordered'
  /** The audit database's own tree is incomplete or disagrees with a signed checkpoint. */
  | 'stored-tree'
  | 'checkpoint-signature'
  /** The root rebuilt from the events differs from the checkpoint's signed root. */
  | 'checkpoint-root'
  | 'checkpoint-consistency'
  /** Events stored when the verify began that the tree does not hold: they were not verified. */
  | 'beyond-tree'
  /** The trail's own consistency (trailIntegrity.ts) and the events' seals. */
  | TrailCause;

export interface VerifyProblem {
  position?: number;
  kind: VerifyProblemKind;
  detail: string;
}
