-- +goose Up
-- The work on a case (issue #5): notes, tasks and documents.

-- Notes are testimony and append-only: no version, no update. The text is
-- sealed under the note's own data key (data_keys owner type "note"); a
-- correction is a new note naming the one it corrects.
CREATE TABLE notes (
    id               TEXT PRIMARY KEY,
    case_id          TEXT NOT NULL REFERENCES cases (id),
    text             BLOB NOT NULL,
    corrects         TEXT REFERENCES notes (id),
    author_id        TEXT NOT NULL,
    author_agency_id TEXT NOT NULL,
    created_at       DATETIME NOT NULL
);
CREATE INDEX notes_case ON notes (case_id, created_at);

-- Tasks. Contract with the case list's "overdue tasks" filter: case_id,
-- due_on (a DATE), done_at (NULL while the task is open).
CREATE TABLE tasks (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    title       TEXT NOT NULL,
    details     TEXT NOT NULL DEFAULT '',
    due_on      DATE,
    assignee_id TEXT, -- an active user of the case's agency, checked by the task service
    done_at     DATETIME,
    done_by     TEXT,
    reopened_at DATETIME,
    created_by  TEXT NOT NULL,
    version     INTEGER NOT NULL,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL,
    CHECK ((done_at IS NULL) = (done_by IS NULL))
);
CREATE INDEX tasks_case ON tasks (case_id, created_at);
CREATE INDEX tasks_open_due ON tasks (due_on, case_id) WHERE done_at IS NULL;
CREATE INDEX tasks_assignee_open ON tasks (assignee_id, due_on) WHERE done_at IS NULL;

-- Documents: the file, its name, its description and its hash are sealed
-- under the document's own data key (owner type "document"), in the row
-- itself, so a document and its audit entry commit or roll back together.
CREATE TABLE documents (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    filename     BLOB NOT NULL,
    description  BLOB NOT NULL,
    sha256       BLOB NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL CHECK (size > 0),
    content      BLOB NOT NULL,
    uploaded_by  TEXT NOT NULL,
    created_at   DATETIME NOT NULL
);
CREATE INDEX documents_case ON documents (case_id, created_at);

-- +goose Down
DROP TABLE documents;
DROP TABLE tasks;
DROP TABLE notes;
