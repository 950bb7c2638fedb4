-- A batch whose submit step gave up without learning whether an earlier attempt's create took effect may exist at
-- LlamaCloud and bill its files. Its files failed as Permanent until now, so a retry of permanent failures (a fixed
-- file) sent them again unasked, to be paid twice. They have a class of their own now, retried only for the batch an
-- operator names. Earlier such failures are found by the reason the submit step wrote (the only record that tells
-- them apart); when they failed (updated_at, "since" in "Needs a person") is kept.
update orchestrator.file_version
set error_class = 'Unconfirmed',
    error_message = replace(error_message, 'before retrying these files with --permanent', 'before retrying these files with --unconfirmed ' || batch_id)
where state = 'Failed' and error_class = 'Permanent'
  and (error_message like '%whether an earlier attempt created its batch could not be checked%'
       or error_message like '%times to check whether an earlier attempt created its batch%');

update orchestrator.batch b
set last_error = replace(last_error, 'before retrying these files with --permanent', 'before retrying these files with --unconfirmed ' || b.id)
where exists (select 1 from orchestrator.file_version v where v.batch_id = b.id and v.error_class = 'Unconfirmed');

-- "Needs a person" reads these as it reads permanent and key failures: the same partial index, with the new class.
drop index orchestrator.file_version_waits_for_person;
create index file_version_waits_for_person on orchestrator.file_version (source_name) where error_class in ('Permanent', 'Auth', 'Unconfirmed');
