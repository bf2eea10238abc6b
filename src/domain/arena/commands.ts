/** The arena's commands, each declared once: its body, input, target, route, references and decide function. */
import { command } from '../commandDeclaration';
import { registerArena } from './decide';
import { registerArenaBody, registerArenaInput } from './inputs';

export const RegisterArena = command('arena', {
  name: 'RegisterArena',
  body: registerArenaBody,
  input: registerArenaInput,
  target: 'arenaId',
  creates: true,
  route: {
    path: '/arenas',
    operationId: 'registerArena',
    summary: 'Register a citizen square (innbyggertorg)',
  },
  decide: registerArena,
});

export const arenaCommands = [RegisterArena] as const;
