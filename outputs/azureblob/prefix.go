package azureblob

// PrefixKey puts prefix before the blob name of key ("CONTAINER/BLOB"),
// not before the container: replay's batches go to the container the
// template names, under "replay/".
func (o *Output) PrefixKey(key, prefix string) string {
	container, name := splitKey(key)
	return container + "/" + prefix + name
}
