// Products with live stock; admins change it and everyone sees it at once.
import { isOptimistic, useList } from 'ssot-realtime/react';
import { PRODUCTS_QUERY } from './queries.js';
import { ProductRow } from './ProductRow.jsx';

export function Inventory({ me }) {
  const products = useList('Product', PRODUCTS_QUERY);
  const { data, isLoading, error } = products;
  const admin = me.role === 'admin';
  return (
    <section className="inventory">
      <h2>Inventory</h2>
      <p className="muted">{admin ? 'Change the stock: every signed-in page sees it at once.' : 'Stock is live: an admin changing it shows here at once.'}</p>
      {error && <p className="error" role="alert">{error.message ?? String(error)}</p>}
      {isLoading && <p className="muted">Loading…</p>}
      <table>
        <thead><tr><th>Product</th><th className="num">Price</th><th className="num">Stock</th>{admin && <th>Change</th>}</tr></thead>
        <tbody>
          {data.map((p) => <ProductRow key={p.id} product={p} admin={admin} pending={isOptimistic(products, p)} />)}
        </tbody>
      </table>
    </section>
  );
}
