-- queue_log data carries every field Asterisk's queue_log writes for the event (QUEUE_LOG_FIELDS in
-- src/domain/queue-log.ts), so the table and the queue_log text file agree: ring times are now in
-- milliseconds, completions carry the caller's original position, and fields we had no value for
-- are present and empty. Rows written before this migration are brought to the same shape.
UPDATE queue_log SET data = json_set(data, '$.ringtime', json_extract(data, '$.ringtime') * 1000)
  WHERE event IN ('RINGNOANSWER', 'RINGCANCELED') AND json_type(data, '$.ringtime') IN ('integer', 'real');

UPDATE queue_log SET data = json_insert(data, '$.origposition', coalesce((
    SELECT json_extract(e.data, '$.position') FROM queue_log e
    WHERE e.call_id = queue_log.call_id AND e.queue_id = queue_log.queue_id AND e.event = 'ENTERQUEUE' AND e.id < queue_log.id
    ORDER BY e.id DESC LIMIT 1), 0))
  WHERE event IN ('COMPLETECALLER', 'COMPLETEAGENT');

UPDATE queue_log SET data = json_insert(data, '$.url', '', '$.callerid', '') WHERE event = 'ENTERQUEUE';
UPDATE queue_log SET data = json_insert(data, '$.bridgedchannelid', '') WHERE event = 'CONNECT';
UPDATE queue_log SET data = json_insert(data, '$.paused', '') WHERE event = 'ADDMEMBER';
UPDATE queue_log SET data = json_insert(data, '$.reason', '') WHERE event IN ('PAUSE', 'UNPAUSE');
