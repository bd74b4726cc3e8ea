package db.migration.h2;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Schema 22 on H2: {@code issued_certificates} loses its unique index and its foreign key on
 * {@code sha256}. H2 rewrites, at every commit, each B-tree page the commit touched, and an index
 * keyed by a random fingerprint touches another page for every certificate issued. The table is
 * reached through its serial (the primary key; readers join on {@code certificates.serial}), and a
 * certificate has one serial, so {@code sha256} stays unique; both rows are written in one
 * transaction, and rows of {@code certificates} are never deleted.
 *
 * <p>H2 named these constraints itself when version 3 created the table, so the names are read
 * from its catalogue: dropping them takes no copy of the table, however many certificates it holds.
 * PostgreSQL's names are fixed, and its version 22 is plain SQL.
 */
public class V22__issued_certificates_by_serial extends BaseJavaMigration {
  @Override
  public void migrate(Context context) throws SQLException {
    Connection c = context.getConnection();
    // the foreign key first: it uses the unique index
    for (String type : List.of("FOREIGN KEY", "UNIQUE")) {
      List<String> names = constraintsOnSha256(c, type);
      if (names.size() != 1) {
        // version 3 made one of each; anything else is a store changed by hand, left for a person
        throw new SQLException("schema 22: expected one " + type + " constraint on issued_certificates.sha256,"
            + " found " + names.size() + " " + names);
      }
      try (Statement st = c.createStatement()) {
        st.execute("ALTER TABLE issued_certificates DROP CONSTRAINT \"" + names.get(0).replace("\"", "\"\"") + "\"");
      }
    }
  }

  private static List<String> constraintsOnSha256(Connection c, String type) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT tc.CONSTRAINT_NAME"
        + " FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS tc JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE k"
        + " ON k.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME"
        + " WHERE tc.TABLE_SCHEMA = SCHEMA() AND tc.TABLE_NAME = 'ISSUED_CERTIFICATES'"
        + " AND tc.CONSTRAINT_TYPE = ? AND k.COLUMN_NAME = 'SHA256'")) {
      ps.setString(1, type);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }
}
