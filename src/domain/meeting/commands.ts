/** The meeting's command, declared once: body, input, target, route, references and decide function. */
import { command } from '../commandDeclaration';
import { recordMeeting, recordMeetingReferences } from './decide';
import { recordMeetingBody, recordMeetingInput } from './inputs';

export const RecordMeeting = command('meeting', {
  name: 'RecordMeeting',
  body: recordMeetingBody,
  input: recordMeetingInput,
  target: 'meetingId',
  creates: true,
  route: { path: '/meetings', operationId: 'recordMeeting', summary: 'Record a meeting that was held' },
  references: recordMeetingReferences,
  decide: recordMeeting,
});

export const meetingCommands = [RecordMeeting] as const;
