/**
 * Loads a simulated trial into a ledger through the command service, the same handlers the HTTP API uses, as the
 * simulator (admin) with a correlation id per command, and reports what it wrote.
 *
 * Each append waits for its transaction to reach the disk, so one command at a time spends most of its time waiting
 * for fsync. The store commits appends that arrive together in one transaction, so the loader keeps up to
 * `concurrency` commands in flight. Commands that touch a common stream still run in trial order (see
 * commandStreams.ts): every command sees what it would see if the trial ran one command at a time. Only the order
 * of events of different streams in the global log may differ from the trial's order.
 */
import { v7 as uuidv7 } from 'uuid';
import type { CommandService } from '../application/commandService';
import type { CommandName } from '../domain/commands';
import type { Actor } from '../store/eventStore';
import { CommandStreams, type StreamAccess } from './commandStreams';
import type { TrialCommand } from './timeline';

export type CommandExecutor = Pick<CommandService, 'execute'>;

export interface LoadProgress {
  commands: number;
  events: number;
  rejected: number;
  seconds: number;
  eventsPerSecond: number;
}

export interface RejectedCommand {
  /** 0-based position of the command in the trial. */
  index: number;
  name: CommandName;
  message: string;
}

export interface LoadReport extends LoadProgress {
  /** The first few rejected commands, with the reason. */
  errors: RejectedCommand[];
}

export interface LoadOptions {
  /** Commands in flight at once (default 16); 1 runs the trial strictly in order. */
  concurrency?: number;
  onProgress?: (progress: LoadProgress) => void;
  /** How often onProgress is called while loading (default 500 ms); it is always called once at the end. */
  progressIntervalMs?: number;
  actor?: Actor;
  /** How many rejected commands to keep in the report (default 5). */
  keepErrors?: number;
}

export const SIMULATOR_ACTOR: Actor = { principal: 'simulator', role: 'admin' };
const DEFAULT_CONCURRENCY = 16;

export async function loadTrial(
  target: { commands: CommandExecutor },
  commands: Iterable<TrialCommand>,
  options: LoadOptions = {},
): Promise<LoadReport> {
  const loader = new TrialLoader(target.commands, options);
  await loader.run(commands);
  return loader.report();
}

class TrialLoader {
  private readonly started = performance.now();
  private readonly concurrency: number;
  private readonly actor: Actor;
  private readonly keepErrors: number;
  private readonly progressIntervalMs: number;
  private lastProgress = 0;
  private commands = 0;
  private events = 0;
  private rejected = 0;
  private readonly errors: RejectedCommand[] = [];
  private readonly streams = new CommandStreams();
  private readonly scheduler = new StreamScheduler();

  constructor(
    private readonly executor: CommandExecutor,
    private readonly options: LoadOptions,
  ) {
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
    this.actor = options.actor ?? SIMULATOR_ACTOR;
    this.keepErrors = options.keepErrors ?? 5;
    this.progressIntervalMs = options.progressIntervalMs ?? 500;
  }

  async run(commands: Iterable<TrialCommand>): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    let index = 0;
    for (const c of commands) {
      const i = index++;
      const access = this.streams.access(c);
      if (!access) {
        // Its streams are unknown: let everything before it finish, and run it alone.
        await Promise.all(inFlight);
        await this.execute(c, i);
        continue;
      }
      const task = this.scheduled(c, i, access).finally(() => inFlight.delete(task));
      inFlight.add(task);
      if (inFlight.size >= this.concurrency) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    this.progress(true);
  }

  /** Runs `c` once the commands before it that touch its streams are done. */
  private async scheduled(c: TrialCommand, index: number, access: StreamAccess): Promise<void> {
    const turn = this.scheduler.admit(access);
    try {
      await turn.ready;
      await this.execute(c, index);
    } finally {
      turn.done();
    }
  }

  private async execute(c: TrialCommand, index: number): Promise<void> {
    try {
      const result = await this.executor.execute(c.name, c.input, {
        actor: this.actor,
        correlationId: uuidv7(),
        causationId: null,
      });
      if (!result.alreadyStored) this.events += result.events.length;
    } catch (error) {
      this.rejected++;
      if (this.errors.length < this.keepErrors) {
        this.errors.push({
          index,
          name: c.name,
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
    this.commands++;
    this.progress(false);
  }

  private progress(final: boolean): void {
    const { onProgress } = this.options;
    if (!onProgress) return;
    const now = performance.now();
    if (!final && now - this.lastProgress < this.progressIntervalMs) return;
    this.lastProgress = now;
    onProgress(this.snapshot());
  }

  private snapshot(): LoadProgress {
    const seconds = (performance.now() - this.started) / 1000;
    return {
      commands: this.commands,
      events: this.events,
      rejected: this.rejected,
      seconds,
      eventsPerSecond: seconds > 0 ? this.events / seconds : 0,
    };
  }

  report(): LoadReport {
    return { ...this.snapshot(), errors: [...this.errors] };
  }
}

interface StreamTurns {
  writer?: Promise<void>;
  readers: Set<Promise<void>>;
}

/**
 * Orders commands per stream like a readers–writer lock taken in arrival order: a command that writes a stream waits
 * for the last writer and the readers since; one that reads it waits for the last writer only.
 */
class StreamScheduler {
  private readonly streams = new Map<string, StreamTurns>();

  admit(access: StreamAccess): { ready: Promise<unknown>; done: () => void } {
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    const waits: Array<Promise<void>> = [];
    for (const key of access.writes) {
      const turns = this.turnsOf(key);
      if (turns.writer) waits.push(turns.writer);
      waits.push(...turns.readers);
      turns.writer = finished;
      turns.readers = new Set();
    }
    for (const key of access.reads) {
      if (access.writes.includes(key)) continue;
      const turns = this.turnsOf(key);
      if (turns.writer) waits.push(turns.writer);
      turns.readers.add(finished);
    }
    const keys = [...access.writes, ...access.reads];
    return {
      ready: waits.length > 0 ? Promise.all(waits) : Promise.resolve(),
      done: () => {
        this.release(keys, finished);
        done();
      },
    };
  }

  private turnsOf(key: string): StreamTurns {
    let turns = this.streams.get(key);
    if (!turns) {
      turns = { readers: new Set() };
      this.streams.set(key, turns);
    }
    return turns;
  }

  /** Forgets a finished command, and a stream nobody waits on, so memory stays bounded by the commands in flight. */
  private release(keys: readonly string[], finished: Promise<void>): void {
    for (const key of keys) {
      const turns = this.streams.get(key);
      if (!turns) continue;
      if (turns.writer === finished) delete turns.writer;
      turns.readers.delete(finished);
      if (!turns.writer && turns.readers.size === 0) this.streams.delete(key);
    }
  }
}
