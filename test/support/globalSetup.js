// Once per run: builds dist/ (the CLI and server tests run the built `bin/ledger`, as users do; building here keeps
// parallel test workers from each building it), and prints which optional suites will be skipped and why, so a skip
// is never silent.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async () => {
  execFileSync(process.execPath, [path.join(__dirname, '../../scripts/build.js')], { stdio: 'inherit' });
  if (!process.env.EVENTSTORE_CONNECTION_STRING) {
    console.log(
      '\n[participation-ledger] EventStoreDB contract tests against a real server SKIPPED: EVENTSTORE_CONNECTION_STRING is not set (the same suite runs against the gRPC test double).\n',
    );
  }
};
