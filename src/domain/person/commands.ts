/** The person's commands, each declared once: body, input, target, route, references, decide function. */
import { command } from '../commandDeclaration';
import { erasePersonalData, registerPerson } from './decide';
import {
  erasePersonalDataBody,
  erasePersonalDataInput,
  registerPersonBody,
  registerPersonInput,
} from './inputs';

export const RegisterPerson = command('person', {
  name: 'RegisterPerson',
  body: registerPersonBody,
  input: registerPersonInput,
  target: 'personId',
  creates: true,
  route: {
    path: '/persons',
    operationId: 'registerPerson',
    summary: 'Register a person (personal data is encrypted per person)',
  },
  decide: registerPerson,
});

export const ErasePersonalData = command('person', {
  name: 'ErasePersonalData',
  body: erasePersonalDataBody,
  input: erasePersonalDataInput,
  target: 'personId',
  creates: false,
  route: {
    path: '/persons/:id/erasure',
    params: { id: 'personId' },
    operationId: 'erasePersonalData',
    summary: "Erase a person's personal data (crypto-shredding)",
  },
  decide: erasePersonalData,
});

export const personCommands = [RegisterPerson, ErasePersonalData] as const;
