"""Writes of the incidents app. Import the functions from their modules."""
