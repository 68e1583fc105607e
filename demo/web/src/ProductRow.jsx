// One product; the stock cell flashes when it changes.
import { memo, useEffect, useRef, useState } from 'react';
import { useUpdate } from 'ssot-realtime/react';
import { money } from './format.js';

function useFlash(value) {
  const first = useRef(true);
  const [n, setN] = useState(0);
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    setN((x) => x + 1);
  }, [value]);
  return n;
}

// pending: our stock change awaits the server's confirmation.
export const ProductRow = memo(function ProductRow({ product, admin, pending }) {
  const update = useUpdate('Product', { optimistic: true });
  const [draft, setDraft] = useState('');
  const flash = useFlash(product.stock);
  const setStock = (stock) => update.mutate(product.id, { stock: Math.max(0, stock) });
  return (
    <tr data-product={product.name} className={pending ? 'pending' : ''}>
      <td>{product.name}</td>
      <td className="num">{money(product.price)}</td>
      <td className={`num stock${product.stock < 10 ? ' low' : ''}`}>
        <span key={flash} className={flash ? 'flash' : ''}>{product.stock}</span>
      </td>
      {admin && (
        <td className="change">
          <button type="button" onClick={() => setStock(product.stock - 1)} aria-label={`one less ${product.name}`}>−1</button>
          <button type="button" onClick={() => setStock(product.stock + 1)} aria-label={`one more ${product.name}`}>+1</button>
          <form onSubmit={(e) => { e.preventDefault(); if (draft !== '') setStock(Number(draft)); setDraft(''); }}>
            <input name="stock" type="number" min="0" value={draft} placeholder="set" onChange={(e) => setDraft(e.target.value)} />
          </form>
          {update.error && <span className="error" role="alert">{update.error.message}</span>}
        </td>
      )}
    </tr>
  );
});
