/** The API document says what a replica answers: 421 on every command, the replica's checks in /readyz. */
import { buildOpenApiDocument } from '../../../src/http/openapi';
import { operations as allOperations } from '../../../src/http/operations';
import { commandOperations } from '../../../src/http/routes/commands';

type Responses = Record<string, { description: string }>;
const document = buildOpenApiDocument() as {
  paths: Record<string, Record<string, { operationId: string; responses: Responses }>>;
};
const operationsById = new Map(
  Object.values(document.paths).flatMap((item) =>
    Object.values(item)
      .filter((op) => typeof op === 'object' && op !== null && 'operationId' in op)
      .map((op) => [op.operationId, op] as const),
  ),
);

describe('the API document and replicas', () => {
  test('every command documents the 421 of a replica, naming the not-the-writer problem', () => {
    expect(commandOperations.length).toBeGreaterThan(20);
    for (const { operationId } of commandOperations) {
      const responses = operationsById.get(operationId)?.responses ?? {};
      expect({ operationId, described: responses['421']?.description }).toEqual({
        operationId,
        described: expect.stringMatching(/read replica.*`writer`.*not-the-writer/),
      });
    }
  });

  test('no read documents a 421: a replica serves them all', () => {
    const commands = new Set(commandOperations.map((o) => o.operationId));
    const reads = allOperations.filter((o) => !commands.has(o.operationId));
    expect(reads.length).toBeGreaterThan(20);
    for (const { operationId } of reads) {
      expect({ operationId, has421: '421' in (operationsById.get(operationId)?.responses ?? {}) }).toEqual({
        operationId,
        has421: false,
      });
    }
  });
});
