-- supabase/migrations/20261206100500_purge.sql — removing old tombstones,
-- and what a device must know to notice it.
--
-- Deleted rows stay as tombstones so that every device learns of the
-- delete. After a while (90 days by default) the service role purges them
-- and raises the table's fence in the tenant's counter to the highest
-- server_seq it removed. A device whose checkpoint for a table is non-zero
-- and below that fence may have missed a delete, and pulls the table anew
-- (SYNC.md 3.4); sync_state() tells it the fences.
--
-- Copyright 2026 The Xender-In Authors
-- SPDX-License-Identifier: GPL-3.0-or-later

create function public.purge_deleted(p_older_than interval default interval '90 days')
returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  t       text;
  n       bigint;
  removed jsonb := '{}'::jsonb;
begin
  if p_older_than is null or p_older_than < interval '0' then
    raise exception 'invalid_interval: p_older_than must be zero or more'
      using errcode = 'XI050';
  end if;
  for t in select s.table_name from private.synced_tables s order by 1 loop
    execute format(
      'with gone as (
         delete from public.%I where deleted and deleted_at <= clock_timestamp() - $1
         returning master_user_id, server_seq),
       fences as (
         select master_user_id, max(server_seq) as seq, count(*) as n
         from gone group by master_user_id),
       raised as (
         update private.sync_counters c
            set purged_seq = jsonb_set(c.purged_seq, array[%L],
                  to_jsonb(greatest(coalesce((c.purged_seq ->> %L)::bigint, 0), f.seq)))
           from fences f
          where c.master_user_id = f.master_user_id
         returning 1)
       select coalesce(sum(n), 0) from fences', t, t, t)
      into n using p_older_than;
    removed := removed || jsonb_build_object(t, n);
  end loop;
  -- A retry older than the tombstones has nothing left to be told apart from.
  delete from private.applied_ops where applied_at <= clock_timestamp() - p_older_than;
  return jsonb_build_object('ok', true, 'purged', removed);
end
$$;

-- Where the tenant's changes stand: the last server_seq handed out (the
-- total for a progress bar) and the purge fences.
create function public.sync_state() returns jsonb
language plpgsql stable security definer set search_path = '' as $$
declare
  m uuid := private.require_master();
  c private.sync_counters;
begin
  select * into c from private.sync_counters where master_user_id = m;
  return jsonb_build_object(
    'ok', true,
    'master_user_id', m,
    'last_seq', coalesce(c.last_seq, 0),
    'purged_before_seq', coalesce((select max(v::bigint) from jsonb_each_text(c.purged_seq) e(k, v)), 0),
    'purged', coalesce(c.purged_seq, '{}'::jsonb));
end
$$;

revoke execute on function public.purge_deleted(interval), public.sync_state()
  from public, anon, authenticated, service_role;
grant execute on function public.purge_deleted(interval) to service_role;
grant execute on function public.sync_state() to authenticated;
