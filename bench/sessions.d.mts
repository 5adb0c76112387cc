/** Types of bench/sessions.mjs (the session templates of the benchmark). */
export declare const UPDATE_SESSION: string;
export declare const ATTEST_SESSION: string;
export declare const FILLER_SESSION: string;
export declare const PEER_SESSION: string;
