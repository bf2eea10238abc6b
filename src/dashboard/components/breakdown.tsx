/**
 * Counts by category (members by actor group, proposals by stage …): a table of the API's numbers, each cell
 * carrying its raw value, beside a bar chart of the same. A suppressed count is written "< 5" in the table and
 * marked "(< 5)" on the chart's category, since the chart can draw no bar for it and no bar would read as zero.
 */
import { useWords } from '../i18n';
import type { CodeList, MessageKey } from '../messages';
import { BarChart } from './chart';
import { Count, TableFrame } from './common';

/** The breakdowns of members the committee and participation views share: the answer's field, its code list, names. */
export const MEMBER_BREAKDOWNS = [
  { field: 'byActorGroup', list: 'actorGroup', what: 'breakdown.actorGroup', column: 'committee.actorGroup' },
  {
    field: 'byRepresentationBasis',
    list: 'representationBasis',
    what: 'breakdown.representationBasis',
    column: 'committee.representationBasis',
  },
  { field: 'byRole', list: 'role', what: 'breakdown.role', column: 'committee.role' },
] as const satisfies ReadonlyArray<{ field: string; list: CodeList; what: MessageKey; column: MessageKey }>;

export interface BreakdownProps {
  /** The table's `data-testid`; the chart's id is derived from it. */
  id: string;
  caption: string;
  categoryLabel: string;
  counts: Record<string, number | null>;
  label(key: string): string;
  /** The order to show keys in (default: the answer's). */
  keys?: string[];
}

export function Breakdown(props: BreakdownProps) {
  const w = useWords();
  // The given order first, then any key the answer has beyond it (a code a newer server knows); never a key the
  // answer lacks, which would read as suppressed.
  const given = (props.keys ?? []).filter((key) => key in props.counts);
  const keys = [...given, ...Object.keys(props.counts).filter((key) => !given.includes(key))];
  const suppressed = ` (${w.t('common.suppressed')})`;
  return (
    <div class="breakdown">
      <TableFrame label={props.caption}>
        <table data-testid={props.id}>
          <caption>{props.caption}</caption>
          <thead>
            <tr>
              <th scope="col">{props.categoryLabel}</th>
              <th scope="col" class="num">
                {w.t('common.count')}
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => {
              const n = props.counts[key] ?? null;
              return (
                <tr key={key} data-key={key}>
                  <th scope="row">{props.label(key)}</th>
                  <td class="num" data-value={n ?? ''}>
                    <Count n={n} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableFrame>
      <BarChart
        id={`${props.id}-chart`}
        caption={props.caption}
        categoryLabel={props.categoryLabel}
        categories={keys.map((key) => props.label(key) + (props.counts[key] === null ? suppressed : ''))}
        series={[{ label: w.t('common.count'), values: keys.map((key) => props.counts[key] ?? null) }]}
        nullAs={w.t('common.suppressed')}
        horizontal
      />
    </div>
  );
}
