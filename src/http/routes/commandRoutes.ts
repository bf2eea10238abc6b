/**
 * The command routes of API.md, read off the command declarations (src/domain/<aggregate>/commands.ts): each names
 * its command, the path parameters that become ids, and (for routes that create something) the id field the server
 * fills in unless the client gives `id` in the body. Follow `command` to its declaration, whose `decide` is the
 * function that decides it.
 */
import type { AggregateName, CommandName } from '../../domain/commands';
import { commandNames, commandSpecs } from '../../domain/commands';

export interface CommandRoute {
  path: string;
  command: CommandName;
  /** Path parameter → input field. */
  params: Record<string, string>;
  /** The id this command creates: filled with a new UUIDv7 unless the body carries `id`. */
  creates?: string;
  /** Which input field is the response's `id`. */
  idField: string;
  summary: string;
  /** The API document's operationId, which is also the name of the decide function: 'supportProposal'. */
  operationId: string;
  /** The API document's tag: the aggregate's records, as the read routes name them. */
  tag: string;
}

const tagOf: Record<AggregateName, string> = {
  arena: 'Arenas',
  politicalBody: 'Political bodies',
  person: 'Persons',
  committee: 'Committees',
  process: 'Processes',
  meeting: 'Meetings',
  proposal: 'Proposals',
  vote: 'Votes',
};

export const commandRoutes: CommandRoute[] = commandNames.map((name) => {
  const { aggregate, route } = commandSpecs[name];
  return {
    path: route.path,
    command: name,
    params: { ...route.params },
    ...(route.fills !== undefined && { creates: route.fills }),
    idField: route.answers,
    summary: route.summary,
    operationId: route.operationId,
    tag: tagOf[aggregate],
  };
});
