import { StateConflict } from '../../../src/domain/errors';
import { councilRegistered, ids } from './fixtures';
import { command, given } from './given';

describe('politicalBody: RegisterPoliticalBody', () => {
  const register = command('RegisterPoliticalBody', {
    bodyId: ids.council,
    name: 'Kommunestyret',
    kind: 'council',
    seats: 47,
  });

  it('registers the council', () => {
    given([]).when(register).then([councilRegistered()]);
  });

  it('registers a body without a number of seats', () => {
    given([])
      .when(
        command('RegisterPoliticalBody', {
          bodyId: ids.executive,
          name: 'Kommunedirektøren',
          kind: 'administration',
        }),
      )
      .then([
        {
          type: 'PoliticalBodyRegistered',
          data: { bodyId: ids.executive, name: 'Kommunedirektøren', kind: 'administration' },
        },
      ]);
  });

  it('refuses a second registration under the same id', () => {
    given([councilRegistered()]).when(register).thenThrows(StateConflict, 'already-exists');
  });
});
