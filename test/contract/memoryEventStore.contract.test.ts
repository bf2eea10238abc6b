import { describeEventStoreContract } from './eventStoreContract';
import { MemoryEventStore } from './memoryEventStore';

describeEventStoreContract('memory (the port defaults)', {
  supportsGenesisPosition: true,
  describesWorkerLog: false,
  open: async (options = {}) => new MemoryEventStore(options.genesisPosition),
});
