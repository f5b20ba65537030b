-- expand: who may read voids (tables in 0017). A terminal's role reads only its own locations'
-- rows, as 0014 set up for every other table; it writes none (till_grant_terminal grants
-- SELECT only). Voids are recorded by functions/till_record_void.sql, whose text lives in that
-- file (applied after the versioned migrations, as every function since 0013).

ALTER TABLE voids ENABLE ROW LEVEL SECURITY;
CREATE POLICY terminal_reads ON voids FOR SELECT USING ((SELECT till_readable_locations()) IS NULL
    OR location_id = ANY ((SELECT till_readable_locations())::uuid[]));
ALTER TABLE void_lines ENABLE ROW LEVEL SECURITY;
CREATE POLICY terminal_reads ON void_lines FOR SELECT USING ((SELECT till_readable_locations()) IS NULL
    OR EXISTS (SELECT 1 FROM voids v WHERE v.id = void_id));
