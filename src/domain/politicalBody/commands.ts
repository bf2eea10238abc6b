/** The political body's commands, each declared once: body, input, target, route, references, decide function. */
import { command } from '../commandDeclaration';
import { registerPoliticalBody } from './decide';
import { registerPoliticalBodyBody, registerPoliticalBodyInput } from './inputs';

export const RegisterPoliticalBody = command('politicalBody', {
  name: 'RegisterPoliticalBody',
  body: registerPoliticalBodyBody,
  input: registerPoliticalBodyInput,
  target: 'bodyId',
  creates: true,
  route: {
    path: '/political-bodies',
    operationId: 'registerPoliticalBody',
    summary: 'Register a political body',
  },
  decide: registerPoliticalBody,
});

export const politicalBodyCommands = [RegisterPoliticalBody] as const;
