/**
 * The audited ledger the audit tests build: the drills anyone can run (`npm run drill`) build the same one, so it
 * lives with them in bench/drills/, which the build compiles (test/ is not).
 */
export * from '../../bench/drills/auditedLedger';
