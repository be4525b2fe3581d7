// pgpass ships no types; this is the one function pgtop uses.
declare module 'pgpass' {
  interface ConnInfo {
    host?: string;
    port?: number | string;
    database?: string;
    user?: string;
  }
  function pgpass(connInfo: ConnInfo, callback: (password: string | undefined) => void): void;
  export default pgpass;
}
