/** The signed-in token lives in sessionStorage: gone when the tab closes, never in localStorage or a cookie. */
const KEY = 'lockstep.token';

export function readToken(storage: Storage = sessionStorage): string | null {
  const token = storage.getItem(KEY);
  return token === null || token === '' ? null : token;
}

export function saveToken(token: string, storage: Storage = sessionStorage): void {
  storage.setItem(KEY, token);
}

export function clearToken(storage: Storage = sessionStorage): void {
  storage.removeItem(KEY);
}
