"""scorebot: a Matrix bot for an organizing group's meetings and code of conduct."""

__version__ = "0.1.0"
