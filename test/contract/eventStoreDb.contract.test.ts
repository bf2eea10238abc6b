/**
 * The same contract against EventStoreDB. No EventStoreDB server can run on the development machines, so this
 * suite runs only when EVENTSTORE_CONNECTION_STRING is set, and says plainly that it was skipped otherwise.
 */
const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;

if (!connectionString) {
  describe('event store contract: eventstoredb — SKIPPED because EVENTSTORE_CONNECTION_STRING is not set', () => {
    test.skip('set EVENTSTORE_CONNECTION_STRING (e.g. esdb://localhost:2113?tls=false) to run this suite', () => {
      // Intentionally empty: the suite is skipped, and the skip is reported under this name.
    });
  });
} else {
  describe('event store contract: eventstoredb', () => {
    test('the EventStoreDB adapter exists', () => {
      // The adapter is its own roadmap issue; until it lands, a configured server makes this fail, not pass.
      throw new Error('EventStoreDB adapter not implemented yet (roadmap: EventStoreDB adapter)');
    });
  });
}
