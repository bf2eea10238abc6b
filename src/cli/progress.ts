/**
 * Progress of long CLI work on stderr (stdout stays for results): a redrawn bar with the rate when stderr is a
 * terminal, a plain line every few seconds when it is a file or a pipe (CI logs, journald).
 */
export interface Progress {
  update(done: number, total: number): void;
  /** Draws the final state and ends the line. */
  finish(): void;
}

export interface ProgressOptions {
  /** What is counted, plural: "events". */
  unit: string;
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  now?: () => number;
}

const REDRAW_MS = 100;
const LINE_EVERY_MS = 5_000;
const BAR_WIDTH = 30;

export function progress(label: string, options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const tty = stream.isTTY === true;
  const started = now();
  // A terminal shows the bar at once; a log gets its first line after a while, so short runs write one line.
  let lastDrawn = tty ? -Infinity : started;
  let done = 0;
  let total = 0;

  const describe = (): string => {
    const seconds = Math.max((now() - started) / 1000, 0.001);
    const rate = Math.round(done / seconds);
    const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
    return `${done.toLocaleString('en')}/${total.toLocaleString('en')} ${options.unit} (${percent}%), ${rate.toLocaleString('en')} ${options.unit}/s`;
  };
  const draw = (): void => {
    if (tty) {
      const filled = total > 0 ? Math.round((done / total) * BAR_WIDTH) : BAR_WIDTH;
      const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
      // \r returns to the line start, \x1b[K clears what a longer previous line left behind.
      stream.write(`\r${label} [${bar}] ${describe()}\x1b[K`);
    } else stream.write(`${label}: ${describe()}\n`);
    lastDrawn = now();
  };

  return {
    update(nextDone, nextTotal) {
      done = nextDone;
      total = nextTotal;
      if (now() - lastDrawn >= (tty ? REDRAW_MS : LINE_EVERY_MS)) draw();
    },
    finish() {
      draw();
      if (tty) stream.write('\n');
    },
  };
}
