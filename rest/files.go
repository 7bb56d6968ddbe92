package rest

// filesRoutes lists the reference's Files endpoints.
// Entries without an Op answer 501 NOT_IMPLEMENTED until their issue lands.
func filesRoutes() []Route {
	return []Route{
		{Section: "Files", Method: "POST", Path: "/v1/files/batch/delete", Summary: "Batch delete files", Auth: Bearer, Scope: "files", Permission: "files:write"},
		{Section: "Files", Method: "POST", Path: "/v1/files/batch/read", Summary: "Batch read file metadata", Auth: Bearer, Scope: "files", Permission: "files:read"},
		{Section: "Files", Method: "POST", Path: "/v1/files/batch/update", Summary: "Batch update file metadata", Auth: Bearer, Scope: "files", Permission: "files:write"},
		{Section: "Files", Method: "POST", Path: "/v1/files/:file_id/upload-complete", Summary: "Confirm presigned upload", Auth: Bearer, Scope: "files", Permission: "files:write"},
		{Section: "Files", Method: "POST", Path: "/v1/files/:file_id/signed-url", Summary: "Generate signed URL", Auth: Bearer, Scope: "files", Permission: "files:write"},
		{Section: "Files", Method: "GET", Path: "/v1/files/:file_id", Summary: "Get file metadata", Auth: Bearer, Scope: "files", Permission: "files:read"},
		{Section: "Files", Method: "PATCH", Path: "/v1/files/:file_id", Summary: "Update file metadata", Auth: Bearer, Scope: "files", Permission: "files:write"},
		{Section: "Files", Method: "DELETE", Path: "/v1/files/:file_id", Summary: "Delete file", Auth: Bearer, Scope: "files", Permission: "files:write"},
		{Section: "Files", Method: "GET", Path: "/v1/files/:file_id/content", Summary: "Download file content", Auth: Bearer, Scope: "files", Permission: "files:read"},
		{Section: "Files", Method: "GET", Path: "/v1/files/:file_id/variants/:variant", Summary: "Get image variant", Auth: Bearer, Scope: "files", Permission: "files:read"},
		{Section: "Files", Method: "GET", Path: "/v1/files/stats", Summary: "Storage statistics", Auth: Bearer, Scope: "files", Permission: "files:read"},
		{Section: "Files", Method: "POST", Path: "/v1/files/upload-url", Summary: "Get presigned upload URL", Auth: Bearer, Scope: "files", Permission: "files:write"},
		{Section: "Files", Method: "GET", Path: "/v1/files/trash", Summary: "List trashed files", Auth: Bearer, Scope: "files", Permission: "files:read"},
		{Section: "Files", Method: "GET", Path: "/v1/files/:file_id/versions", Summary: "List file versions", Auth: Bearer, Scope: "files", Permission: "files:read"},
		{Section: "Files", Method: "GET", Path: "/v1/files/folders", Summary: "List folders", Auth: Bearer, Scope: "files", Permission: "files:read"},
		{Section: "Files", Method: "POST", Path: "/v1/files/:file_id/restore", Summary: "Restore deleted file", Auth: Bearer, Scope: "files", Permission: "files:write"},
		{Section: "Files", Method: "POST", Path: "/v1/files/search", Summary: "Search files", Auth: Bearer, Scope: "files", Permission: "files:write"},
		{Section: "Files", Method: "POST", Path: "/v1/files/:file_id/stale-cleanup", Summary: "Clean stale uploads", Auth: Bearer, Scope: "files", Permission: "files:write"},
		{Section: "Files", Method: "POST", Path: "/v1/files/upload", Summary: "Upload file", Auth: Bearer, Scope: "files", Permission: "files:write"},
		{Section: "Files", Method: "PUT", Path: "/v1/files/:file_id/upload-put", Summary: "Upload file content to presigned slot", Auth: Bearer, Scope: "files", Permission: "files:write"},
	}
}
