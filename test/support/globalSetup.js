// Prints, once per run, which optional suites will be skipped and why, so a skip is never silent.
module.exports = async () => {
  if (!process.env.EVENTSTORE_CONNECTION_STRING) {
    console.log(
      '\n[participation-ledger] EventStoreDB contract tests SKIPPED: EVENTSTORE_CONNECTION_STRING is not set.\n',
    );
  }
};
