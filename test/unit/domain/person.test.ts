import { RuleViolation, StateConflict, UnknownReference } from '../../../src/domain/errors';
import { ids, personRegistered } from './fixtures';
import { command, given } from './given';

describe('person: RegisterPerson', () => {
  it('puts the personal fields into `personal` (the application seals them afterwards)', () => {
    given([])
      .when({
        name: 'RegisterPerson',
        input: {
          personId: ids.frida,
          name: 'Frida Berg',
          email: 'frida@example.no',
          birthYear: 1990,
          area: 'Heggedal',
        },
      })
      .then([
        {
          type: 'PersonRegistered',
          data: {
            personId: ids.frida,
            personal: { name: 'Frida Berg', email: 'frida@example.no' },
            birthYear: 1990,
            area: 'Heggedal',
          },
        },
      ]);
  });

  it('leaves out fields not given', () => {
    given([])
      .when(command('RegisterPerson', { personId: ids.frida, name: 'Frida Berg' }))
      .then([{ type: 'PersonRegistered', data: { personId: ids.frida, personal: { name: 'Frida Berg' } } }]);
  });

  it('refuses a birth year after this year', () => {
    given([])
      .when(
        command('RegisterPerson', { personId: ids.frida, name: 'Frida Berg', birthYear: 2025 }),
        {},
        {
          today: '2024-12-31',
        },
      )
      .thenThrows(RuleViolation, 'date-not-in-future');
  });

  it('accepts a birth year of this year', () => {
    given([])
      .when(
        command('RegisterPerson', { personId: ids.frida, name: 'Frida Berg', birthYear: 2024 }),
        {},
        {
          today: '2024-01-01',
        },
      )
      .then([expect.objectContaining({ type: 'PersonRegistered' })]);
  });

  it('refuses a second registration under the same id', () => {
    given([personRegistered(ids.frida)])
      .when(command('RegisterPerson', { personId: ids.frida, name: 'Frida Berg' }))
      .thenThrows(StateConflict, 'already-exists');
  });
});

describe('person: ErasePersonalData', () => {
  const erase = command('ErasePersonalData', {
    personId: ids.frida,
    erasedOn: '2023-05-02',
    reason: 'request under GDPR art. 17',
  });

  it('erases the personal data', () => {
    given([personRegistered(ids.frida)])
      .when(erase)
      .then([
        {
          type: 'PersonalDataErased',
          data: { erasedOn: '2023-05-02', reason: 'request under GDPR art. 17' },
        },
      ]);
  });

  it('is a 404 for an unknown person', () => {
    const error = given([]).when(erase).thenThrows(UnknownReference, 'references-exist');
    expect(error.where).toBe('path');
  });

  it('erases once', () => {
    given([
      personRegistered(ids.frida),
      { type: 'PersonalDataErased', data: { erasedOn: '2023-01-01', reason: 'x' } },
    ])
      .when(erase)
      .thenThrows(StateConflict, 'personal-data-erased-once');
  });

  it('does not record an erasure dated in the future', () => {
    given([personRegistered(ids.frida)])
      .when(erase, {}, { today: '2023-05-01' })
      .thenThrows(RuleViolation, 'date-not-in-future');
  });
});
