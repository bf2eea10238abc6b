import { StateConflict } from '../../../src/domain/errors';
import { arenaRegistered, ids } from './fixtures';
import { command, given } from './given';

describe('arena: RegisterArena', () => {
  const register = command('RegisterArena', {
    arenaId: ids.torg,
    name: 'Heggedal innbyggertorg',
    areas: ['Heggedal'],
  });

  it('registers a citizen square', () => {
    given([]).when(register).then([arenaRegistered()]);
  });

  it('refuses a second registration under the same id', () => {
    given([arenaRegistered()]).when(register).thenThrows(StateConflict, 'already-exists');
  });
});
