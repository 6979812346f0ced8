extension FactTable {
    /// How a table of current state (one row per invoice, client or deal) is folded from facts.
    ///
    /// Such a table folds every fact whatever its date, and keeps `latest_on`, the latest business
    /// date among its facts: as of any day on or after it the row is the dated facts' answer, so a
    /// report as of such a day (and not as known at an earlier instant) reads the few open rows
    /// instead of aggregating every fact. Every merge is a sum, a maximum, a latest-by-(date,
    /// position) or an ordered union, so live batches and a rebuild fold to the same rows.
    ///
    /// The rows to fold come either from the events of a range of the log (a live batch,
    /// ``events``) or, in a rebuild, from the generation's tables of facts, already filled with
    /// typed columns (``facts``); both give the same columns, and rows that the same
    /// ``aggregate`` folds to the same row per key (a row per fact; where an event is two facts,
    /// as a deal's opening and its first stage, the aggregate must not count it twice). The
    /// determinism tests compare both ways.
    struct Fold: Sendable, Hashable {
        /// The columns that tell one row from another: the table's primary key, which a rebuild
        /// adds after the fold. (``grouping`` and ``merge`` name the same columns.)
        let key: String
        /// `SELECT … FROM (`: the row per key folded from the rows `f` that follow, up to
        /// ``grouping``.
        let aggregate: String
        /// `SELECT … FROM events e … WHERE …`: the rows of the events, without the range
        /// condition, which a live batch appends as `AND e.position > $from AND e.position <= $to`.
        let events: String
        /// The same rows from the tables of facts, unioned (`UNION ALL`: the first names the
        /// columns and gives their types, so it casts its nulls; the others may leave theirs
        /// untyped).
        let facts: [Source]
        /// `) f GROUP BY …`: what closes the rows and groups them per key.
        let grouping: String
        /// `ON CONFLICT … DO UPDATE`, where `state` is the row kept so far: merges a batch's row
        /// into it, so that the result does not depend on how the log is cut into batches.
        let merge: String
    }

    /// The rows one table of facts gives a ``Fold``: `SELECT columns FROM table condition`.
    struct Source: Sendable, Hashable {
        let table: FactTable
        let columns: String
        var condition: String = ""
    }

    /// A table of current state, whose rows a live batch folds from its events with `fold`.
    init(name: String, columns: [FactColumn], indexes: [String], fold: Fold) {
        self.init(
            name: name, columns: columns, select: fold.aggregate + fold.events,
            indexes: indexes, fold: fold)
    }
}
