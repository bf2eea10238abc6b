/** `ledger tiles export DIR`: the ledger as a static C2SP tiled log in a folder (src/audit/tileFolder.ts). */
import { TiledLog } from '../../audit/tiledLog';
import { exportTiles, TileFolderError } from '../../audit/tileFolder';
import type { ParsedArgs } from '../args';
import { openAuditStores } from '../openAudit';
import { progress } from '../progress';

export const tilesCommand = {
  summary: 'export the log as static C2SP tiles to a folder (tiles export DIR)',
  usage: `ledger tiles export DIR [--entries]

Writes the latest signed checkpoint of LEDGER_DATA_DIR's ledger, with its witnesses' cosignatures, and every hash
tile of its tree to DIR in the C2SP tlog-tiles layout: DIR/checkpoint, DIR/tile/<L>/<N>[.p/<W>]. Any static web
server can then publish DIR as the log's prefix, and \`ledger mirror verify\` can check it. The bytes are those
GET /api/v1/audit/tlog/… serves.

  --entries  the entry bundles too (DIR/tile/entries/<N>[.p/<W>]): the events' leaf texts, which carry person
             ids and encrypted personal data, so keep such a folder private (they are written 0640 in a 0750
             folder); a public mirror needs none

DIR is created if missing. The checkpoint is written last, each file through a temporary one renamed into place,
so an export cut short leaves the previous checkpoint with the tiles it needs. Exporting into the same DIR again
writes only what is missing or differs. A symbolic link inside DIR where a folder or file of the layout goes is
refused, never written through.

Exit code: 0 exported, 1 no checkpoint yet or the export failed, 2 bad usage or a DIR that cannot be written safely.`,

  options: ['entries'],
  async run(args: ParsedArgs): Promise<number> {
    const [action, ...rest] = args.positionals;
    // "--entries DIR" reads as an option with a value: it is a flag, and DIR the folder.
    const entries = args.options.entries;
    const folders = typeof entries === 'string' ? [...rest, entries] : rest;
    if (action !== 'export' || folders.length !== 1) {
      process.stderr.write(
        'ledger tiles: usage: ledger tiles export DIR [--entries] (ledger tiles --help)\n',
      );
      return 2;
    }
    const dir = folders[0] as string;
    const { audit, store, close } = openAuditStores({ createNothing: true, signing: false });
    try {
      if (!audit.latestCheckpoint()) {
        process.stderr.write(
          'ledger tiles: no checkpoint has been signed yet (ledger checkpoint --new signs one)\n',
        );
        return 1;
      }
      const bar = progress('exporting tiles', { unit: 'files' });
      const result = await exportTiles(new TiledLog(audit, store), dir, {
        entries: entries !== undefined,
        onProgress: (done, total) => bar.update(done, total),
      });
      bar.finish();
      // The checkpoint is replaced whenever the log has grown; any other file that held other bytes was changed.
      for (const file of result.replaced.filter((f) => f !== 'checkpoint')) {
        process.stderr.write(`ledger tiles: ${file} held other bytes and was replaced\n`);
      }
      process.stdout.write(
        `exported the checkpoint of tree size ${result.checkpoint.treeSize} to ${dir}: ${result.written} files written, ${result.unchanged} unchanged\n`,
      );
      return 0;
    } catch (error) {
      if (error instanceof TileFolderError) {
        process.stderr.write(`ledger tiles: ${error.message}\n`);
        return 2;
      }
      throw error;
    } finally {
      await close();
    }
  },
};
