"""Flask extensions, created unbound here and bound in ``create_app``."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from consult.core.db import Base
from consult.core.network import client_address

db = SQLAlchemy(model_class=Base)
# Batch mode lets Alembic alter tables on SQLite, which has little ALTER TABLE.
migrate = Migrate(render_as_batch=True, compare_type=True)
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
# The client address is used as a counter key in the limiter's store only; it is
# never logged nor written to the database.
limiter = Limiter(key_func=client_address, default_limits=[])
