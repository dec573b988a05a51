import { missedPreference } from './c21-missed-preference';

/** C22: Bangladesh (least developed, GSP then DCTS) goods entered at MFN without the 0% claim. */
export const c22 = missedPreference('C22', true);
