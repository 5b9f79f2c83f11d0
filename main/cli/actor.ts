// Who a CLI write is recorded as in the audit trail.
import { osUser } from '../node/os-user.js';
import { countUsers, findUserCredentials, type Store } from '../store/index.js';
import { UsageError } from './errors.js';

/**
 * Without --actor, the OS user: all the CLI knows. With it, a study that has accounts takes only the name of one of
 * them, enabled: its audit trail names the people of the study, and a made-up or disabled name there would read as
 * someone who acted. A study without accounts (one workstation) takes any name, as before. The account's own
 * spelling is recorded, so `db audit --by` finds the entry.
 */
export function cliActor(store: Store, claimed: string | undefined): string {
  if (claimed === undefined) return osUser();
  if (countUsers(store) === 0) return claimed;
  const account = findUserCredentials(store, claimed)?.user;
  if (!account)
    throw new UsageError(
      `--actor ${claimed} is not a user of this study: name one of its accounts (retina users list)`,
    );
  if (account.disabled)
    throw new UsageError(`--actor ${account.name} is a disabled account: enable it first, or name another`);
  return account.name;
}
