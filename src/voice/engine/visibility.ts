import type { CallOwner } from './ports.ts';

/** May `viewer` (a main account, or one of its subaccounts) see and act on what `owner` owns? A main account sees its subaccounts' too. */
export const visible = (viewer: CallOwner, owner: CallOwner): boolean =>
  owner.accountId === viewer.accountId && (viewer.subaccountId === null || owner.subaccountId === viewer.subaccountId);
