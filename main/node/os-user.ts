// Who runs this process, for audit records made outside a login (the CLI, single-user mode): the OS user name,
// or 'user' where the system cannot say.
import { userInfo } from 'node:os';

export function osUser(): string {
  try {
    return userInfo().username || 'user';
  } catch {
    return 'user';
  }
}
