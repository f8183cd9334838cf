-- supabase/tests/30_quota.sql — reserve, commit, release, expiry, the
-- monthly reset, payments, and an error of its own for each bad input.
-- (Two devices reserving at once: tests/supabase/test-supabase-concurrency.c.)
--
-- Copyright 2026 The Xender-In Authors
-- SPDX-License-Identifier: GPL-3.0-or-later

begin;
select plan(78);

create temporary table v (name text primary key, id uuid);
grant all on v to authenticated, anon, service_role;
insert into v values ('a', tests.create_user('quota-a@example.test')),
                     ('b', tests.create_user('quota-b@example.test')),
                     ('s', tests.create_user('quota-staff@example.test')),
                     ('r1', gen_random_uuid()), ('r2', gen_random_uuid()),
                     ('r3', gen_random_uuid()), ('r4', gen_random_uuid()),
                     ('r5', gen_random_uuid()), ('r6', gen_random_uuid());
select tests.make_staff((select id from v where name = 'a'), (select id from v where name = 's'));

create function pg_temp.id(p_name text) returns uuid
language sql stable as $$ select id from v where name = p_name $$;

-- The quota as check_quota_usage reports it: "limit/used/reserved/available".
create function pg_temp.quota() returns text
language sql as $$
  select format('%s/%s/%s/%s', q ->> 'limit', q ->> 'used', q ->> 'reserved', q ->> 'available')
  from (select public.check_quota_usage() -> 'quota' as q) x
$$;

-- The stored row, whatever check_quota_usage computes.
create function pg_temp.stored(p_user text) returns text
language sql security definer as $$
  select format('%s/%s/%s', messages_limit, messages_used, messages_reserved)
  from public.user_quotas where master_user_id = pg_temp.id(p_user)
$$;

create function pg_temp.reservation(p_name text) returns text
language sql security definer as $$
  select format('%s %s/%s', status, used, amount) from public.quota_reservations
  where id = pg_temp.id(p_name)
$$;

select tests.authenticate_as(pg_temp.id('a'));
select is(pg_temp.quota(), '500/0/0/500', 'a new account has the free 500 messages for the month');
select is((public.check_quota_usage() #>> '{quota,period_start}')::timestamptz,
          date_trunc('month', now() at time zone 'UTC') at time zone 'UTC',
          'for the current calendar month');

-- Bad input: its own code, and nothing changes.
select throws_ok(format('select public.reserve_quota(%L, 0)', pg_temp.id('r1')), 'XI001', null,
                 'reserving zero messages is invalid_amount');
select throws_ok(format('select public.reserve_quota(%L, -5)', pg_temp.id('r1')), 'XI001', null,
                 'reserving a negative amount is invalid_amount');
select throws_ok('select public.reserve_quota(null, 5)', 'XI002', null,
                 'a reservation without an id is invalid_reservation_id');
select is(pg_temp.stored('a'), '500/0/0', 'nothing changed');

-- Reserve, replay
select is(public.reserve_quota(pg_temp.id('r1'), 200) #>> '{reservation,status}', 'pending',
          'reserving 200 works');
select is(pg_temp.quota(), '500/0/200/300', '200 are held');
select is(public.reserve_quota(pg_temp.id('r1'), 200) ->> 'replayed', 'true',
          'the same reservation again is answered as a replay');
select is(pg_temp.quota(), '500/0/200/300', 'and holds nothing more');
select throws_ok(format('select public.reserve_quota(%L, 201)', pg_temp.id('r1')), 'XI003', null,
                 'the same id with another amount is reservation_id_reused');
select throws_ok(format('select public.reserve_quota(%L, 200, %L)', pg_temp.id('r1'), gen_random_uuid()),
                 'XI003', null, 'so is the same id for another campaign');
select tests.authenticate_as(pg_temp.id('b'));
select throws_ok(format('select public.reserve_quota(%L, 200)', pg_temp.id('r1')), 'XI003', null,
                 'another tenant cannot take over the id');
select is(pg_temp.quota(), '500/0/0/500', 'and its own quota is untouched');
select tests.authenticate_as(pg_temp.id('s'));
select is(pg_temp.quota(), '500/0/200/300', 'staff share their owner''s quota');
select is(public.reserve_quota(pg_temp.id('r2'), 301) ->> 'reason', 'insufficient_quota',
          'reserving more than is available is refused');
select is((public.reserve_quota(pg_temp.id('r2'), 301) ->> 'available')::int, 300,
          'and says what is available');
select is(pg_temp.reservation('r2'), null, 'no reservation was made');
select is(pg_temp.stored('a'), '500/0/200', 'and the quota did not change');

-- Commit cumulative totals
select tests.authenticate_as(pg_temp.id('a'));
select is(public.commit_quota_usage(pg_temp.id('r1'), 50) #>> '{reservation,used}', '50',
          'committing 50 sent');
select is(pg_temp.quota(), '500/50/150/300', 'moves 50 from reserved to used');
select is(public.commit_quota_usage(pg_temp.id('r1'), 50) ->> 'replayed', 'true',
          'committing the same total again is a replay');
select is(public.commit_quota_usage(pg_temp.id('r1'), 30) ->> 'replayed', 'true',
          'an older, lower total arriving late is a replay');
select is(pg_temp.quota(), '500/50/150/300', 'neither counted twice');
select is(public.commit_quota_usage(pg_temp.id('r1'), 120) #>> '{quota,used}', '120',
          'a higher total adds only the difference');
select throws_ok(format('select public.commit_quota_usage(%L, 201)', pg_temp.id('r1')), 'XI007', null,
                 'committing more than was reserved is commit_exceeds_reservation');
select throws_ok(format('select public.commit_quota_usage(%L, -1)', pg_temp.id('r1')), 'XI006', null,
                 'a negative total is invalid_sent_total');
select throws_ok(format('select public.commit_quota_usage(%L, null)', pg_temp.id('r1')), 'XI006', null,
                 'a missing total is invalid_sent_total');
select throws_ok(format('select public.commit_quota_usage(%L, 1)', gen_random_uuid()), 'XI004', null,
                 'an unknown reservation is reservation_not_found');
select tests.authenticate_as(pg_temp.id('b'));
select throws_ok(format('select public.commit_quota_usage(%L, 150)', pg_temp.id('r1')), 'XI004', null,
                 'another tenant''s reservation is reservation_not_found');
select throws_ok(format('select public.release_quota_reservation(%L)', pg_temp.id('r1')), 'XI004', null,
                 'and it cannot release it');
select is(pg_temp.stored('a'), '500/120/80', 'nothing changed');
select is(pg_temp.reservation('r1'), 'pending 120/200', 'the reservation neither');

-- Release gives back exactly the unused part
select tests.authenticate_as(pg_temp.id('a'));
select is(public.release_quota_reservation(pg_temp.id('r1')) #>> '{reservation,status}', 'committed',
          'releasing a reservation with messages sent closes it as committed');
select is(pg_temp.quota(), '500/120/0/380', 'and gives back the 80 unused');
select is(public.release_quota_reservation(pg_temp.id('r1')) ->> 'replayed', 'true',
          'releasing again is a replay');
select is(pg_temp.quota(), '500/120/0/380', 'and gives back nothing more');

-- Using the whole reservation closes it; releasing an unused one frees it all
select is(public.reserve_quota(pg_temp.id('r5'), 10) ->> 'ok', 'true', 'reserve 10');
select is(public.commit_quota_usage(pg_temp.id('r5'), 10) #>> '{reservation,status}', 'committed',
          'committing all 10 closes the reservation');
select is(public.reserve_quota(pg_temp.id('r6'), 40) ->> 'ok', 'true', 'reserve 40');
select is(public.commit_quota_usage(pg_temp.id('r6'), 0, true) #>> '{reservation,status}', 'released',
          'a final commit of nothing releases it');
select is(pg_temp.quota(), '500/130/0/370', 'everything unused is back');

-- Expiry: an abandoned reservation gives back what it holds
select is(public.reserve_quota(pg_temp.id('r3'), 100) ->> 'ok', 'true', 'reserve 100');
select is(public.commit_quota_usage(pg_temp.id('r3'), 30) #>> '{quota,reserved}', '70', '30 of them sent');
select tests.clear_authentication();
update public.quota_reservations set expires_at = now() - interval '1 second' where id = pg_temp.id('r3');
select tests.authenticate_as(pg_temp.id('a'));
select is(pg_temp.quota(), '500/160/0/340', 'once expired, the 70 unsent are available again');
select is(pg_temp.reservation('r3'), 'pending 30/100', 'reading changed nothing');
select is(public.reserve_quota(gen_random_uuid(), 1) ->> 'ok', 'true', 'the next write');
select is(pg_temp.reservation('r3'), 'expired 30/100', 'marks it expired');
select is(pg_temp.stored('a'), '500/160/1', 'and stores what it gave back');
select is(public.commit_quota_usage(pg_temp.id('r3'), 40) #>> '{quota,used}', '170',
          'messages sent after the expiry still count');
select is(pg_temp.stored('a'), '500/170/1', 'without holding anything again');

-- The clean-up job does the same for tenants that are not writing
select tests.authenticate_as(pg_temp.id('b'));
select is(public.reserve_quota(pg_temp.id('r4'), 100) ->> 'ok', 'true', 'the other tenant reserves 100');
select tests.clear_authentication();
update public.quota_reservations set expires_at = now() - interval '1 second' where id = pg_temp.id('r4');
insert into public.payments (master_user_id, order_id, amount, currency, messages, expires_at)
values (pg_temp.id('b'), 'order-abandoned', 10000, 'IDR', 100, now() - interval '1 hour');
select tests.authenticate_as_service_role();
select is(public.cleanup_expired_payments() - 'ok',
          '{"payments_expired": 1, "reservations_expired": 1}'::jsonb,
          'cleanup_expired_payments expires the payment and the reservation');
select is(pg_temp.stored('b'), '500/0/0', 'and gives the reservation back');
select is(public.cleanup_expired_payments() - 'ok',
          '{"payments_expired": 0, "reservations_expired": 0}'::jsonb, 'running it again does nothing');

-- Payments: credited once per merchant order id
select is(public.credit_payment('order-1', pg_temp.id('s'), 150000, 'IDR', 1000) #>> '{quota,limit}', '1500',
          'a payment by staff adds 1000 messages to the owner''s tenant');
select is(public.credit_payment('order-1', pg_temp.id('s'), 150000, 'IDR', 1000) ->> 'replayed', 'true',
          'the same order again is a replay');
select is(pg_temp.stored('a'), '1500/170/1', 'credited once');
select throws_ok(format('select public.credit_payment(%L, %L, 1, %L, 1000)', 'order-1', pg_temp.id('a'), 'IDR'),
                 'XI033', null, 'the same order with another amount is order_mismatch');
select throws_ok(format('select public.credit_payment(%L, %L, 1, %L, 1000)', 'order-1', pg_temp.id('b'), 'IDR'),
                 'XI033', null, 'the same order for another tenant is order_mismatch');
select throws_ok(format('select public.credit_payment(%L, %L, 1, %L, 1000)', '', pg_temp.id('a'), 'IDR'),
                 'XI030', null, 'an empty order id is invalid_order_id');
select throws_ok(format('select public.credit_payment(%L, %L, 1, %L, 1000)', 'o2', pg_temp.id('a'), 'rupiah'),
                 'XI031', null, 'a currency that is not ISO 4217 is invalid_currency');
select throws_ok(format('select public.credit_payment(%L, %L, 0, %L, 1000)', 'o2', pg_temp.id('a'), 'IDR'),
                 'XI001', null, 'a zero amount is invalid_amount');
select throws_ok(format('select public.credit_payment(%L, %L, 1, %L, 10)', 'o2', gen_random_uuid(), 'IDR'),
                 'XI032', null, 'an unknown user is user_not_found');
select is(pg_temp.stored('a'), '1500/170/1', 'none of them changed the quota');
select is(public.credit_payment('order-abandoned', pg_temp.id('b'), 10000, 'IDR', 100) #>> '{payment,status}',
          'paid', 'money arriving for an expired order still counts');

-- The monthly reset
select tests.clear_authentication();
update public.user_quotas
   set period_start = period_start - interval '1 month', period_end = period_start
 where master_user_id = pg_temp.id('a');
select tests.authenticate_as(pg_temp.id('a'));
select is(pg_temp.quota(), '500/0/0/500', 'after the month ends the allowance is fresh');
select tests.authenticate_as_service_role();
select ok((public.reset_monthly_quotas() ->> 'rolled')::int >= 1, 'reset_monthly_quotas rolls it');
select is(pg_temp.stored('a'), '500/0/0', 'back to the plan''s 500: the top-up and the month''s reservations are gone');
select is((select period_start from public.user_quotas where master_user_id = pg_temp.id('a')),
          date_trunc('month', now() at time zone 'UTC') at time zone 'UTC', 'for the current month');

-- Activity
select tests.authenticate_as(pg_temp.id('a'));
select throws_ok('select public.get_user_activity_stats(0)', 'XI008', null, 'zero days is invalid_days');
select throws_ok('select public.get_user_activity_stats(400)', 'XI008', null, 'more than a year is invalid_days');
select is(public.get_user_activity_stats() ->> 'days', '30', 'thirty days by default');
insert into v values ('dev', gen_random_uuid()), ('job', gen_random_uuid());
select tests.authenticate_as(pg_temp.id('a'), pg_temp.id('dev'));
select is(public.register_device(pg_temp.id('dev'), 'Kasir') ->> 'ok', 'true', 'a device of the owner');
insert into public.jobs (id, master_user_id, owner_device_id, last_op_id)
values (pg_temp.id('job'), pg_temp.id('a'), pg_temp.id('dev'), gen_random_uuid());
insert into public.job_recipients (id, master_user_id, owner_device_id, job_id, position, phone, state,
                                   sent_at, last_op_id)
select gen_random_uuid(), pg_temp.id('a'), pg_temp.id('dev'), pg_temp.id('job'), n, '62812000000' || n,
       (array['sent', 'read', 'failed', 'pending'])[n], case when n <= 2 then now() end, gen_random_uuid()
from generate_series(1, 4) n;
insert into public.suppression_events (id, master_user_id, phone, event, source, last_op_id)
values (gen_random_uuid(), pg_temp.id('a'), '628120000001', 'opt_out', 'reply', gen_random_uuid());
select is(public.get_user_activity_stats(7) - array['since', 'quota_used', 'ok'],
          jsonb_build_object('days', 7, 'campaigns', 1, 'messages_sent', 2, 'messages_failed', 1,
                             'replies', 0, 'opt_outs', 1,
                             'per_day', jsonb_build_array(jsonb_build_object(
                               'day', (now() at time zone 'UTC')::date, 'sent', 2))),
          'the week''s campaigns, messages sent and failed, replies and opt-outs');
select tests.authenticate_as(pg_temp.id('b'));
select is(public.get_user_activity_stats() ->> 'messages_sent', '0', 'another tenant''s stats are its own');
select tests.authenticate_as(pg_temp.id('a'));

-- A user without a quota row
select tests.clear_authentication();
delete from public.user_quotas where master_user_id = pg_temp.id('b');
select tests.authenticate_as(pg_temp.id('b'));
select throws_ok(format('select public.reserve_quota(%L, 1)', gen_random_uuid()), 'XI005', null,
                 'reserving without a quota row is quota_missing');
select throws_ok('select public.check_quota_usage()', 'XI005', null, 'so is checking');
select tests.clear_authentication();

select * from finish();
rollback;
