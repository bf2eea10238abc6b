/**
 * Which `$all` records a read or subscription delivers, as src/KurrentDB.Core/Services/Storage/ReaderIndex/
 * EventFilter.cs decides: every `$all` read applies DefaultAllFilter (all events but `$epoch-information` and the
 * `$all` persistent subscriptions' checkpoint and parked streams — other system events are delivered), and a
 * request's filter (event type or stream name, by prefixes or a regex) applies on top of it. The client's
 * `excludeSystemEvents()` is only an event-type regex, `^[^$].*`.
 */
import type { LogRecord } from './transactionLog';

export type RecordFilter = (record: Pick<LogRecord, 'streamName' | 'eventType'>) => boolean;

export interface FilterExpression {
  on: 'eventType' | 'streamName';
  /** Empty unless the request gave a regex; a regex wins over prefixes (Streams.Read.cs ConvertToEventFilter). */
  regex: string;
  prefixes: readonly string[];
}

export const defaultAllFilter: RecordFilter = ({ streamName }) => {
  if (!streamName.startsWith('$')) return true;
  if (streamName === '$epoch-information') return false;
  if (streamName.startsWith('$persistentsubscription-$all::')) {
    if (streamName.endsWith('-checkpoint') || streamName.endsWith('-parked')) return false;
  }
  return true;
};

/** The filter a request asks for; throws SyntaxError on a regex that does not compile (answered INVALID_ARGUMENT). */
export function requestFilter(expression: FilterExpression | undefined): RecordFilter {
  if (!expression) return defaultAllFilter;
  const field = (record: Pick<LogRecord, 'streamName' | 'eventType'>): string =>
    expression.on === 'eventType' ? record.eventType : record.streamName;
  if (expression.regex !== '') {
    // .NET Regex.Match finds the pattern anywhere, as RegExp.test does; the syntaxes differ at the edges.
    const regex = new RegExp(expression.regex);
    return (record) => defaultAllFilter(record) && regex.test(field(record));
  }
  const prefixes = [...expression.prefixes];
  return (record) => defaultAllFilter(record) && prefixes.some((prefix) => field(record).startsWith(prefix));
}
