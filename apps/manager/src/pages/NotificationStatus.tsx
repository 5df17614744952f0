export function NotificationStatus(_: { id?: string }) {
  return <h1>NotificationStatus</h1>;
}
