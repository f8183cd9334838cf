-- supabase/migrations/20261206100400_quota.sql — the message allowance:
-- reserve before a campaign, commit what was sent, release the rest.
--
-- Every function takes the tenant from the JWT, never from an argument, and
-- changes a tenant's quota only while holding the tenant's lock and then its
-- quota row, so devices of one tenant queue instead of over-booking. Calls
-- are idempotent: a reservation is named by the device's UUID, and a commit
-- carries the cumulative count sent so far, so a retried call after a lost
-- reply changes nothing. Business outcomes (not enough quota) are results
-- with "ok": false; bad input raises an XI error and changes nothing.
--
-- Copyright 2026 The Xender-In Authors
-- SPDX-License-Identifier: GPL-3.0-or-later

create function private.quota_json(q public.user_quotas) returns jsonb
language sql immutable set search_path = '' as $$
  select jsonb_build_object(
    'plan', q.plan,
    'limit', q.messages_limit,
    'used', q.messages_used,
    'reserved', q.messages_reserved,
    'available', greatest(q.messages_limit - q.messages_used - q.messages_reserved, 0),
    'period_start', q.period_start,
    'period_end', q.period_end)
$$;

create function private.reservation_json(r public.quota_reservations) returns jsonb
language sql immutable set search_path = '' as $$
  select jsonb_build_object(
    'id', r.id, 'job_id', r.job_id, 'amount', r.amount, 'used', r.used,
    'status', r.status, 'expires_at', r.expires_at, 'closed_at', r.closed_at)
$$;

-- What a pending reservation still holds of the allowance.
create function private.held(r public.quota_reservations) returns integer
language sql immutable set search_path = '' as $$
  select case when r.status = 'pending' then r.amount - r.used else 0 end
$$;

-- Locks the tenant and its quota row and brings the row up to date: pending
-- reservations past their expiry give back what they hold, and a period
-- that has ended rolls into the current month with the plan's allowance.
-- This makes reset_monthly_quotas and cleanup_expired_payments optional
-- housekeeping rather than something correctness depends on.
create function private.lock_quota(p_master uuid, p_now timestamptz default now())
returns public.user_quotas
language plpgsql security definer set search_path = '' as $$
declare
  q       public.user_quotas;
  freed   integer;
  start   timestamptz;
begin
  perform private.lock_tenant(p_master);
  select * into q from public.user_quotas where master_user_id = p_master for update;
  if not found then
    raise exception 'quota_missing: this account has no quota; sign up again or contact support'
      using errcode = 'XI005';
  end if;

  with expired as (
    update public.quota_reservations r
       set status = 'expired', closed_at = p_now
     where r.master_user_id = p_master and r.status = 'pending' and r.expires_at <= p_now
    returning r.amount - r.used as held
  )
  select coalesce(sum(held), 0) into freed from expired;

  if p_now >= q.period_end then
    -- Reservations belong to their month: a new one starts with none.
    update public.quota_reservations r
       set status = 'expired', closed_at = p_now
     where r.master_user_id = p_master and r.status = 'pending';
    start := private.month_start(p_now);
    update public.user_quotas
       set period_start = start, period_end = start + interval '1 month',
           messages_used = 0,
           messages_limit = (select p.monthly_messages from private.plans p where p.plan = q.plan),
           messages_reserved = 0
     where id = q.id
    returning * into q;
  elsif freed > 0 then
    update public.user_quotas set messages_reserved = greatest(messages_reserved - freed, 0)
     where id = q.id
    returning * into q;
  end if;
  return q;
end
$$;

create function private.check_reservation_id(p_reservation_id uuid) returns void
language plpgsql immutable set search_path = '' as $$
begin
  if p_reservation_id is null then
    raise exception 'invalid_reservation_id: p_reservation_id must be a UUID chosen by the device'
      using errcode = 'XI002';
  end if;
end
$$;

-- Read-only: what the allowance looks like now, with expiries and the
-- month's roll-over applied as the next write would apply them.
create function public.check_quota_usage() returns jsonb
language plpgsql stable security definer set search_path = '' as $$
declare
  m      uuid := private.require_master();
  q      public.user_quotas;
  start  timestamptz;
begin
  select * into q from public.user_quotas where master_user_id = m;
  if not found then
    raise exception 'quota_missing: this account has no quota; sign up again or contact support'
      using errcode = 'XI005';
  end if;
  q.messages_reserved := (select coalesce(sum(r.amount - r.used), 0)
                          from public.quota_reservations r
                          where r.master_user_id = m and r.status = 'pending'
                            and r.expires_at > now());
  if now() >= q.period_end then
    start := private.month_start(now());
    q.messages_reserved := 0;
    q.period_start := start;
    q.period_end := start + interval '1 month';
    q.messages_used := 0;
    q.messages_limit := (select p.monthly_messages from private.plans p where p.plan = q.plan);
  end if;
  return jsonb_build_object('ok', true, 'quota', private.quota_json(q));
end
$$;

create function public.reserve_quota(p_reservation_id uuid, p_amount integer, p_job_id uuid default null)
returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  m     uuid := private.require_master();
  q     public.user_quotas;
  r     public.quota_reservations;
  avail integer;
begin
  perform private.check_reservation_id(p_reservation_id);
  if p_amount is null or p_amount <= 0 then
    raise exception 'invalid_amount: p_amount must be a positive number of messages (got %)',
      coalesce(p_amount::text, 'null') using errcode = 'XI001';
  end if;

  q := private.lock_quota(m);
  select * into r from public.quota_reservations where id = p_reservation_id for update;
  if found then
    if r.master_user_id = m and r.amount = p_amount and r.job_id is not distinct from p_job_id then
      -- The same request again, e.g. after a lost reply.
      return jsonb_build_object('ok', true, 'replayed', true,
                                'reservation', private.reservation_json(r),
                                'quota', private.quota_json(q));
    end if;
    raise exception 'reservation_id_reused: reservation % was made with another amount or job; use a new UUID',
      p_reservation_id using errcode = 'XI003';
  end if;

  avail := q.messages_limit - q.messages_used - q.messages_reserved;
  if avail < p_amount then
    return jsonb_build_object('ok', false, 'reason', 'insufficient_quota',
                              'requested', p_amount, 'available', greatest(avail, 0),
                              'quota', private.quota_json(q));
  end if;

  insert into public.quota_reservations (id, master_user_id, reserved_by, job_id, amount, expires_at)
  values (p_reservation_id, m, auth.uid(), p_job_id, p_amount,
          least(now() + interval '7 days', q.period_end))
  returning * into r;
  update public.user_quotas set messages_reserved = messages_reserved + p_amount
   where id = q.id
  returning * into q;
  return jsonb_build_object('ok', true, 'replayed', false,
                            'reservation', private.reservation_json(r),
                            'quota', private.quota_json(q));
end
$$;

-- Shared by commit and release. p_sent_total null means "what was already
-- committed" (release). Messages sent always count, even on a reservation
-- that expired or was closed; what the reservation no longer holds goes
-- back to the allowance.
create function private.commit_quota(p_reservation_id uuid, p_sent_total integer, p_final boolean)
returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  m      uuid := private.require_master();
  q      public.user_quotas;
  r      public.quota_reservations;
  total  integer;
  delta  integer;
  v_before integer;
  v_status text;
begin
  perform private.check_reservation_id(p_reservation_id);
  if p_sent_total is not null and p_sent_total < 0 then
    raise exception 'invalid_sent_total: p_sent_total is the number sent so far and cannot be negative (got %)',
      p_sent_total using errcode = 'XI006';
  end if;

  q := private.lock_quota(m);
  select * into r from public.quota_reservations
   where id = p_reservation_id and master_user_id = m for update;
  if not found then
    raise exception 'reservation_not_found: no reservation % in this account', p_reservation_id
      using errcode = 'XI004';
  end if;
  total := coalesce(p_sent_total, r.used);
  if total > r.amount then
    raise exception 'commit_exceeds_reservation: % sent is more than the % reserved; reserve more first',
      total, r.amount using errcode = 'XI007';
  end if;

  -- A total below what is already committed is an older call arriving late.
  delta := greatest(total - r.used, 0);
  v_before := private.held(r);
  v_status := r.status;
  if v_status = 'pending' and (p_final or r.used + delta >= r.amount) then
    v_status := case when r.used + delta = 0 then 'released' else 'committed' end;
  end if;
  if delta = 0 and v_status = r.status then
    return jsonb_build_object('ok', true, 'replayed', true,
                              'reservation', private.reservation_json(r),
                              'quota', private.quota_json(q));
  end if;

  update public.quota_reservations
     set used = used + delta, status = v_status,
         closed_at = case when v_status <> 'pending' then coalesce(closed_at, now()) end
   where id = r.id
  returning * into r;
  update public.user_quotas
     set messages_used = messages_used + delta,
         messages_reserved = greatest(messages_reserved - (v_before - private.held(r)), 0)
   where id = q.id
  returning * into q;
  return jsonb_build_object('ok', true, 'replayed', false,
                            'reservation', private.reservation_json(r),
                            'quota', private.quota_json(q));
end
$$;

create function public.commit_quota_usage(p_reservation_id uuid, p_sent_total integer,
                                          p_final boolean default false)
returns jsonb
language plpgsql security definer set search_path = '' as $$
begin
  if p_sent_total is null then
    raise exception 'invalid_sent_total: p_sent_total is the number sent so far'
      using errcode = 'XI006';
  end if;
  return private.commit_quota(p_reservation_id, p_sent_total, coalesce(p_final, false));
end
$$;

create function public.release_quota_reservation(p_reservation_id uuid) returns jsonb
language plpgsql security definer set search_path = '' as $$
begin
  return private.commit_quota(p_reservation_id, null, true);
end
$$;

-- The tenant's activity over the last p_days days (1 to 366), for the
-- account page.
create function public.get_user_activity_stats(p_days integer default 30) returns jsonb
language plpgsql stable security definer set search_path = '' as $$
declare
  m     uuid := private.require_master();
  since timestamptz;
begin
  if p_days is null or p_days not between 1 and 366 then
    raise exception 'invalid_days: p_days must be between 1 and 366 (got %)',
      coalesce(p_days::text, 'null') using errcode = 'XI008';
  end if;
  since := now() - make_interval(days => p_days);
  return jsonb_build_object(
    'ok', true,
    'days', p_days,
    'since', since,
    'campaigns', (select count(*) from public.jobs j
                  where j.master_user_id = m and not j.deleted and j.created_at >= since),
    'messages_sent', (select count(*) from public.job_recipients jr
                      where jr.master_user_id = m and jr.sent_at >= since
                        and jr.state in ('sent', 'delivered', 'read')),
    'messages_failed', (select count(*) from public.job_recipients jr
                        where jr.master_user_id = m and jr.updated_at >= since
                          and jr.state = 'failed'),
    'replies', (select count(*) from public.incoming_messages i
                where i.master_user_id = m and i.received_at >= since),
    'opt_outs', (select count(*) from public.suppression_events s
                 where s.master_user_id = m and s.created_at >= since and s.event = 'opt_out'),
    'quota_used', (select coalesce(sum(r.used), 0) from public.quota_reservations r
                   where r.master_user_id = m and r.created_at >= since),
    'per_day', (select coalesce(jsonb_agg(jsonb_build_object('day', d.day, 'sent', d.sent)
                                          order by d.day), '[]'::jsonb)
                from (select (jr.sent_at at time zone 'UTC')::date as day, count(*) as sent
                      from public.job_recipients jr
                      where jr.master_user_id = m and jr.sent_at >= since
                        and jr.state in ('sent', 'delivered', 'read')
                      group by 1) d));
end
$$;

-- Service role (a monthly cron job): roll every quota whose period ended.
-- The quota functions roll lazily anyway; this keeps pulled rows current.
create function public.reset_monthly_quotas() returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  m      uuid;
  rolled integer := 0;
begin
  for m in select master_user_id from public.user_quotas
           where period_end <= now() order by master_user_id loop
    perform private.lock_quota(m);
    rolled := rolled + 1;
  end loop;
  return jsonb_build_object('ok', true, 'rolled', rolled);
end
$$;

-- A payment, credited once per merchant order id (the payment provider's
-- webhook, through the service role). `messages` is added to the current
-- period's allowance.
create table public.payments (
  like private.server_row including defaults including constraints,
  order_id         text not null unique check (char_length(order_id) between 1 and 200),
  paid_by          uuid references auth.users (id) on delete set null,
  amount           numeric(14, 2) not null check (amount > 0),
  currency         text not null check (currency ~ '^[A-Z]{3}$'),
  messages         integer not null check (messages > 0),
  status           text not null default 'pending'
                     check (status in ('pending', 'paid', 'expired', 'failed')),
  provider         text,
  description      text,
  expires_at       timestamptz,
  paid_at          timestamptz,
  primary key (id)
);
select private.setup_synced_table('payments', 'server');
create index payments_pending_idx on public.payments (expires_at) where status = 'pending';
-- Payments are the owner's business, not the staff's.
drop policy payments_select on public.payments;
create policy payments_select on public.payments for select to authenticated
  using (master_user_id = (select private.current_master_id()) and (select private.is_owner()));

create function private.payment_json(p public.payments) returns jsonb
language sql immutable set search_path = '' as $$
  select jsonb_build_object('id', p.id, 'order_id', p.order_id, 'amount', p.amount,
                            'currency', p.currency, 'messages', p.messages,
                            'status', p.status, 'paid_at', p.paid_at)
$$;

create function public.credit_payment(p_order_id text, p_user_id uuid, p_amount numeric,
                                      p_currency text, p_messages integer,
                                      p_provider text default null)
returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  m uuid;
  q public.user_quotas;
  p public.payments;
begin
  if p_order_id is null or char_length(p_order_id) not between 1 and 200 then
    raise exception 'invalid_order_id: p_order_id must be the merchant order id (1 to 200 characters)'
      using errcode = 'XI030';
  end if;
  if p_amount is null or p_amount <= 0 or p_messages is null or p_messages <= 0 then
    raise exception 'invalid_amount: p_amount and p_messages must be positive'
      using errcode = 'XI001';
  end if;
  if p_currency is null or p_currency !~ '^[A-Z]{3}$' then
    raise exception 'invalid_currency: p_currency must be an ISO 4217 code such as IDR'
      using errcode = 'XI031';
  end if;
  select pr.master_user_id into m from public.profiles pr where pr.id = p_user_id;
  if m is null then
    raise exception 'user_not_found: no account with id %', p_user_id
      using errcode = 'XI032';
  end if;

  -- The same order delivered twice at once: the second waits here and then
  -- finds it paid.
  perform pg_advisory_xact_lock(hashtextextended('payment:' || p_order_id, 0));
  q := private.lock_quota(m);
  select * into p from public.payments where order_id = p_order_id for update;
  if found then
    if p.master_user_id <> m or p.amount <> p_amount or p.currency <> p_currency
       or p.messages <> p_messages then
      raise exception 'order_mismatch: order % was recorded for another account, amount or allowance',
        p_order_id using errcode = 'XI033';
    end if;
    if p.status = 'paid' then
      return jsonb_build_object('ok', true, 'replayed', true,
                                'payment', private.payment_json(p),
                                'quota', private.quota_json(q));
    end if;
    -- Pending, or expired or failed before the money arrived: the money is
    -- there now, so it counts.
    update public.payments
       set status = 'paid', paid_at = now(), paid_by = coalesce(paid_by, p_user_id),
           provider = coalesce(p_provider, provider)
     where id = p.id
    returning * into p;
  else
    insert into public.payments (master_user_id, order_id, paid_by, amount, currency,
                                 messages, status, provider, paid_at)
    values (m, p_order_id, p_user_id, p_amount, p_currency, p_messages, 'paid',
            p_provider, now())
    returning * into p;
  end if;
  update public.user_quotas set messages_limit = messages_limit + p_messages
   where id = q.id
  returning * into q;
  return jsonb_build_object('ok', true, 'replayed', false,
                            'payment', private.payment_json(p),
                            'quota', private.quota_json(q));
end
$$;

-- Service role (a cron job): pending payments past their expiry become
-- expired, and so do abandoned quota reservations, giving back what they
-- held.
create function public.cleanup_expired_payments() returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  m        uuid;
  n_payments integer;
  held       integer := 0;
  expired    integer := 0;
begin
  with e as (
    update public.payments set status = 'expired'
     where status = 'pending' and expires_at <= now()
    returning 1
  )
  select count(*) into n_payments from e;

  for m in select distinct r.master_user_id from public.quota_reservations r
           where r.status = 'pending' and r.expires_at <= now() order by 1 loop
    held := (select count(*) from public.quota_reservations r
             where r.master_user_id = m and r.status = 'pending' and r.expires_at <= now());
    perform private.lock_quota(m);
    expired := expired + held;
  end loop;
  return jsonb_build_object('ok', true, 'payments_expired', n_payments,
                            'reservations_expired', expired);
end
$$;

revoke execute on function public.check_quota_usage(),
                           public.reserve_quota(uuid, integer, uuid),
                           public.commit_quota_usage(uuid, integer, boolean),
                           public.release_quota_reservation(uuid),
                           public.get_user_activity_stats(integer),
                           public.reset_monthly_quotas(),
                           public.credit_payment(text, uuid, numeric, text, integer, text),
                           public.cleanup_expired_payments()
  from public, anon, authenticated, service_role;
grant execute on function public.check_quota_usage(),
                          public.reserve_quota(uuid, integer, uuid),
                          public.commit_quota_usage(uuid, integer, boolean),
                          public.release_quota_reservation(uuid),
                          public.get_user_activity_stats(integer)
  to authenticated;
grant execute on function public.reset_monthly_quotas(),
                          public.credit_payment(text, uuid, numeric, text, integer, text),
                          public.cleanup_expired_payments()
  to service_role;

revoke execute on all functions in schema private from public;
