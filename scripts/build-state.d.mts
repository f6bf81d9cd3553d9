/** true when `root`/.next has no build, or a source of the build changed after it */
export declare function buildIsStale(root: string): boolean;
