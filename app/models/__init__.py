"""SQLModel tables, one module per aggregate. Importing this package registers every table."""

from app.models.catalogue import Category, Directorate
from app.models.reference import ReferenceValue

__all__ = ["Category", "Directorate", "ReferenceValue"]
