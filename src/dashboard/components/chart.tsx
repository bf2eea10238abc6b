/**
 * A bar chart (Chart.js) with its numbers as a table: the table is always in the page for screen readers, and a
 * button shows it to everyone (WCAG 1.1.1: the chart's content is also text).
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useWords } from '../i18n';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

/** Colours with at least 3:1 contrast against white (WCAG 1.4.11), distinguishable in common colour blindness. */
const PALETTE = ['#1f5f99', '#c25400', '#2e7d32', '#7b3fa0', '#a3262a', '#00758f', '#6d5a00'];

/** Axis labels longer than this are cut with "…" on narrow screens; the table under the chart has them whole. */
const LABEL_CHARS = 26;

function shortLabel(this: { getLabelForValue(value: number): string }, value: number | string): string {
  const label = typeof value === 'number' ? this.getLabelForValue(value) : value;
  if (window.innerWidth > 700 || label.length <= LABEL_CHARS) return label;
  return `${label.slice(0, LABEL_CHARS - 1)}…`;
}

export interface Series {
  label: string;
  /** null: suppressed or not defined; drawn as no bar and written "< 5" or "–" in the table. */
  values: Array<number | null>;
}

export interface BarChartProps {
  id: string;
  caption: string;
  categoryLabel: string;
  categories: string[];
  series: Series[];
  horizontal?: boolean;
  /** How a value reads in the table (default: a plain number). */
  format?: (value: number) => string;
  /** What a null reads as in the table. */
  nullAs?: string;
  /** The section's heading already says what the chart is: the caption is kept for screen readers only. */
  captionHidden?: boolean;
}

export function BarChart(props: BarChartProps) {
  const w = useWords();
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  const [showTable, setShowTable] = useState(false);
  const format = props.format ?? ((v: number) => w.num(v));

  useEffect(() => {
    if (!canvas.current) return;
    const data = {
      labels: props.categories,
      datasets: props.series.map((s, i) => ({
        label: s.label,
        data: s.values,
        backgroundColor: PALETTE[i % PALETTE.length],
      })),
    };
    if (chart.current) {
      chart.current.data = data;
      chart.current.options.indexAxis = props.horizontal ? 'y' : 'x';
      chart.current.update();
      return;
    }
    chart.current = new Chart(canvas.current, {
      type: 'bar',
      data,
      options: {
        indexAxis: props.horizontal ? 'y' : 'x',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: props.series.length > 1, position: 'bottom' } },
        scales: {
          x: { beginAtZero: true, ticks: props.horizontal ? {} : { callback: shortLabel } },
          y: { beginAtZero: true, ticks: props.horizontal ? { callback: shortLabel } : {} },
        },
      },
    });
  }, [JSON.stringify(props.categories), JSON.stringify(props.series), props.horizontal, w.lang]);

  useEffect(() => () => chart.current?.destroy(), []);

  const tableId = `${props.id}-table`;
  const height = Math.max(220, props.horizontal ? props.categories.length * 34 + 60 : 300);
  return (
    <figure class="chart" aria-labelledby={`${props.id}-caption`}>
      <figcaption id={`${props.id}-caption`} class={props.captionHidden ? 'sr-only' : undefined}>
        {props.caption}
      </figcaption>
      <div class="chart-canvas" style={{ height: `${height}px` }} aria-hidden="true">
        <canvas ref={canvas} data-chart={props.id} />
      </div>
      <button
        type="button"
        class="link-button"
        aria-controls={tableId}
        aria-expanded={showTable}
        onClick={() => setShowTable(!showTable)}
      >
        {showTable ? w.t('common.showChart') : w.t('common.showTable')}
      </button>
      <div id={tableId} class={showTable ? 'chart-table' : 'sr-only'}>
        <table>
          <caption>{`${w.t('common.chartTableCaption')}: ${props.caption}`}</caption>
          <thead>
            <tr>
              <th scope="col">{props.categoryLabel}</th>
              {props.series.map((s) => (
                <th scope="col" key={s.label}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.categories.map((category, row) => (
              <tr key={category}>
                <th scope="row">{category}</th>
                {props.series.map((s) => {
                  const v = s.values[row];
                  return (
                    <td key={s.label} class="num">
                      {v === null || v === undefined ? (props.nullAs ?? '–') : format(v)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
